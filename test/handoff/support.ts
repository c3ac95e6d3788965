/** Shared pieces of the handoff tests: a loopback "channel" that records what the bot sends, and an agent API client. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';

export const HANDOFF_DB = 4;
export const REDIS_URL = `redis://127.0.0.1:6379/${HANDOFF_DB}`;

/**
 * Stands in for the Emulator / a channel's Connector API: proactive messages (the agent's
 * words, the rating question) are POSTed here by whichever bot process sends them.
 */
export interface Recorder {
  url: string;
  activities: Array<Partial<Activity> & { conversationId: string }>;
  /** Resolves with the first recorded activity of the conversation that matches. */
  waitFor(conversationId: string, match: (a: Partial<Activity>) => boolean): Promise<Partial<Activity>>;
  close(): Promise<void>;
}

export async function startRecorder(): Promise<Recorder> {
  const activities: Recorder['activities'] = [];
  const waiters: Array<{ conversationId: string; match: (a: Partial<Activity>) => boolean; resolve: (a: Partial<Activity>) => void }> = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const m = /\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
      if (req.method === 'POST' && m) {
        const activity = JSON.parse(body) as Partial<Activity>;
        const conversationId = decodeURIComponent(m[1] ?? '');
        activities.push({ ...activity, conversationId });
        for (const w of [...waiters]) {
          if (w.conversationId === conversationId && w.match(activity)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(activity);
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `r${++n}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    activities,
    waitFor(conversationId, match) {
      const found = activities.find((a) => a.conversationId === conversationId && match(a));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nothing matching arrived for ${conversationId}: ${JSON.stringify(activities.filter((a) => a.conversationId === conversationId).map((a) => a.text))}`)), 20_000);
        waiters.push({ conversationId, match, resolve: (a) => (clearTimeout(timer), resolve(a)) });
      });
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export interface AgentClient {
  token: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export async function agentRequest(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}/api/agent${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* keep text */
  }
  return { status: res.status, body: parsed };
}

export async function loginAgent(baseUrl: string, username = 'agent', password = 'agent123'): Promise<AgentClient> {
  const res = await agentRequest(baseUrl, 'POST', '/login', {}, { username, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  const token = res.body.token as string;
  return { token, call: (method, path, body) => agentRequest(baseUrl, method, path, { authorization: `Bearer ${token}` }, body) };
}

export function keyAgent(baseUrl: string, key: string): AgentClient {
  return { token: '', call: (method, path, body) => agentRequest(baseUrl, method, path, { 'x-agent-key': key }, body) };
}

export const idOf = (conversationId: string, channelId = 'emulator') => Buffer.from(`${channelId}/conversations/${conversationId}`).toString('base64url');
