/**
 * The agent console's routes: /agent (static page) and /api/agent/* (JSON, plus a
 * server-sent-events stream read with fetch so the token travels in a header, never a URL).
 * Every /api/agent route but login answers 401 without a valid session or API key.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Request, Response, Server } from 'restify';
import type { Attachment } from 'botbuilder';
import type { Logger } from 'pino';
import { LoginGuard } from './loginGuard';
import { z } from 'zod';
import type { RedisConnection } from '../../bot/storage/redisClient';
import { jsonBody } from '../../bot/http/body';
import { clientAddress } from '../../bot/http/clientAddress';
import { loadResources } from '../../bot/i18n';
import type { AgentAuth } from './auth';
import { type AgentHub, ClaimConflictError, type HubEvent, idOfKey, keyOfId } from './hub';
import type { AgentIdentity } from './types';
import { APP_ROOT } from '../../bot/appRoot';

export const AGENT_STATIC_DIR = path.join(APP_ROOT, 'web', 'agent');

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const Login = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });
const Outgoing = z
  .object({
    text: z.string().max(4000).default(''),
    attachments: z
      .array(
        z.object({
          contentType: z.string().min(1).max(100),
          contentUrl: z.url({ protocol: /^https?$/ }),
          name: z.string().max(200).optional(),
        }),
      )
      .max(5)
      .default([]),
  })
  .refine((m) => m.text.trim().length > 0 || m.attachments.length > 0, 'text or attachments required');

export interface AgentRoutesDeps {
  server: Server;
  hub: AgentHub;
  auth: AgentAuth;
  subscriber: RedisConnection;
  /** Command connection and key prefix (login attempt limits). */
  redis: RedisConnection;
  prefix: string;
  /** Failed sign-ins allowed per username and address in 15 minutes (default 10). */
  loginAttempts?: number;
  /** Sign-in attempts allowed per address in 15 minutes, any username (default 30). */
  loginAddressAttempts?: number;
  /** Reverse proxies that append to X-Forwarded-For (default 0: the socket's address is the client). */
  trustedProxies?: number;
  logger: Logger;
  staticDir?: string;
  heartbeatMs?: number;
}

type AgentHandler = (req: Request, res: Response, agent: AgentIdentity) => Promise<void>;

export function registerAgentRoutes(deps: AgentRoutesDeps): { close(): void } {
  const { server, hub, auth, logger } = deps;
  const staticDir = deps.staticDir ?? AGENT_STATIC_DIR;
  const json = jsonBody(64 * 1024);

  const authed = (handler: AgentHandler) => async (req: Request, res: Response) => {
    const apiKey = req.header('x-agent-key') || undefined;
    const agent = await auth.authenticate(req.header('authorization') || undefined, apiKey).catch(() => undefined);
    if (!agent) {
      res.header('www-authenticate', 'Bearer');
      res.send(401, { error: 'unauthorized' });
      return;
    }
    try {
      await handler(req, res, agent);
    } catch (err) {
      if (err instanceof ClaimConflictError) {
        res.send(409, { error: 'conflict', detail: err.message });
        return;
      }
      logger.error({ err }, 'agent api failed');
      res.send(500, { error: 'internal' });
    }
  };

  const keyParam = (req: Request): string | undefined => {
    const id = String((req.params as Record<string, string>).id ?? '');
    if (!/^[A-Za-z0-9_-]{1,600}$/.test(id)) return undefined;
    return keyOfId(id);
  };

  // ---- static console -------------------------------------------------------------------
  const serveStatic = async (res: Response, file: string) => {
    const ext = path.extname(file);
    const type = STATIC_TYPES[ext];
    const full = path.join(staticDir, file);
    if (!type || !full.startsWith(staticDir + path.sep)) {
      res.send(404, { error: 'not_found' });
      return;
    }
    try {
      const body = await fs.readFile(full);
      res.writeHead(200, { 'content-type': type, ...SECURITY_HEADERS });
      res.end(body);
    } catch {
      res.send(404, { error: 'not_found' });
    }
  };
  server.get('/agent', async (_req: Request, res: Response) => serveStatic(res, 'index.html'));
  // The console's own strings (locales/<lang>/handoff.json → console), for the page to render.
  const resources = loadResources();
  server.get('/agent/strings/:lang', async (req: Request, res: Response) => {
    const lang = (req.params as Record<string, string>).lang === 'en' ? 'en' : 'ar';
    const handoff = (resources[lang]?.handoff ?? {}) as { console?: Record<string, string> };
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS });
    res.end(JSON.stringify(handoff.console ?? {}));
  });
  server.get('/agent/:file', async (req: Request, res: Response) => {
    const file = String((req.params as Record<string, string>).file ?? '');
    if (!/^[a-z0-9_-]+\.(html|js|css)$/i.test(file)) {
      res.send(404, { error: 'not_found' });
      return;
    }
    await serveStatic(res, file);
  });

  // ---- sign-in --------------------------------------------------------------------------
  // Guessing passwords: limits per address (any username) and per address and username, before any hashing.
  const loginGuard = new LoginGuard(deps.redis, deps.prefix, { perAddress: deps.loginAddressAttempts ?? 30, perAddressAndUser: deps.loginAttempts ?? 10, windowSeconds: 15 * 60 });
  server.post('/api/agent/login', json, async (req: Request, res: Response) => {
    const body = Login.safeParse(req.body);
    if (!body.success) {
      res.send(400, { error: 'invalid_request' });
      return;
    }
    const address = clientAddress(req, deps.trustedProxies ?? 0);
    const refused = await loginGuard.admit(address, body.data.username); // Redis failing throws: a 500, logged by the server.
    if (refused) {
      res.header('retry-after', String(refused.retryAfterSeconds));
      res.send(429, { error: 'too_many_attempts' });
      return;
    }
    const session = await auth.login(body.data.username, body.data.password);
    if (session === 'busy') {
      res.header('retry-after', '1');
      res.send(429, { error: 'busy' });
      return;
    }
    if (!session) {
      logger.warn('agent sign-in refused');
      res.send(401, { error: 'unauthorized' });
      return;
    }
    await loginGuard.succeeded(address, body.data.username);
    await hub.heartbeat(session.agent);
    await hub.audit(session.agent, 'login', '');
    res.send(200, session);
  });

  server.post('/api/agent/logout', authed(async (req, res, agent) => {
    const token = /^Bearer\s+(\S+)$/.exec(req.header('authorization') ?? '')?.[1];
    if (token) await auth.logout(token);
    await hub.goOffline(agent);
    await hub.audit(agent, 'logout', '');
    res.send(200, { ok: true });
  }));

  server.get('/api/agent/me', authed(async (_req, res, agent) => {
    res.send(200, { agent });
  }));

  server.post('/api/agent/heartbeat', authed(async (_req, res, agent) => {
    await hub.heartbeat(agent);
    res.send(200, { ok: true });
  }));

  // ---- queue and conversations ------------------------------------------------------------
  server.get('/api/agent/queue', authed(async (_req, res, agent) => {
    const items = (await hub.queue()).map(({ key: _key, ...item }) => ({ ...item, mine: item.status === 'held' && item.agentId === agent.id }));
    res.send(200, { items, agentsOnline: await hub.agentsOnline() });
  }));

  server.post('/api/agent/conversations/:id/claim', authed(async (req, res, agent) => {
    const key = keyParam(req);
    if (!key) return void res.send(404, { error: 'not_found' });
    await hub.claim(key, agent);
    res.send(200, await conversationView(key));
  }));

  server.get('/api/agent/conversations/:id', authed(async (req, res, agent) => {
    const key = keyParam(req);
    if (!key || !(await hub.holds(key, agent))) return void res.send(403, { error: 'not_yours' });
    await hub.audit(agent, 'view', key);
    res.send(200, await conversationView(key));
  }));

  server.get('/api/agent/conversations/:id/messages', authed(async (req, res, agent) => {
    const key = keyParam(req);
    if (!key || !(await hub.holds(key, agent))) return void res.send(403, { error: 'not_yours' });
    const after = String((req.query as Record<string, string> | undefined)?.after ?? '-');
    if (after !== '-' && !/^\d+-\d+$/.test(after)) return void res.send(400, { error: 'invalid_request' });
    res.send(200, { messages: await hub.messages(key, after) });
  }));

  // An agent asks to see a masked line of the user's in full (audited in the hub).
  server.post('/api/agent/conversations/:id/messages/:lineId/reveal', authed(async (req, res, agent) => {
    const key = keyParam(req);
    const lineId = String((req.params as Record<string, string> | undefined)?.lineId ?? '');
    if (!/^\d+-\d+$/.test(lineId)) return void res.send(400, { error: 'invalid_request' });
    if (!key || !(await hub.holds(key, agent))) return void res.send(403, { error: 'not_yours' });
    const text = await hub.reveal(key, agent, lineId);
    if (text === undefined) return void res.send(404, { error: 'not_found' });
    res.header('cache-control', 'no-store');
    res.send(200, { text });
  }));

  server.post('/api/agent/conversations/:id/messages', json, authed(async (req, res, agent) => {
    const key = keyParam(req);
    const body = Outgoing.safeParse(req.body);
    if (!body.success) return void res.send(400, { error: 'invalid_request' });
    if (!key || !(await hub.holds(key, agent))) return void res.send(403, { error: 'not_yours' });
    try {
      const message = await hub.sendFromAgent(key, agent, body.data.text, body.data.attachments as Attachment[]);
      res.send(200, { message });
    } catch (err) {
      if (err instanceof ClaimConflictError) throw err;
      logger.error({ err }, 'agent message not delivered');
      res.send(502, { error: 'not_delivered' });
    }
  }));

  server.post('/api/agent/conversations/:id/transfer', authed(async (req, res, agent) => {
    const key = keyParam(req);
    if (!key) return void res.send(404, { error: 'not_found' });
    if (!(await hub.transfer(key, agent))) throw new ClaimConflictError('not held');
    res.send(200, { ok: true });
  }));

  server.post('/api/agent/conversations/:id/end', authed(async (req, res, agent) => {
    const key = keyParam(req);
    if (!key) return void res.send(404, { error: 'not_found' });
    await hub.end(key, agent);
    res.send(200, { ok: true });
  }));

  async function conversationView(key: string) {
    const record = await hub.get(key);
    if (!record) return { id: idOfKey(key) };
    // The transcript before the handoff; what followed is in the relay log (messages).
    const transcript = (await hub.transcript(record.reference)).filter((e) => Date.parse(e.at) < record.enqueuedAt);
    return {
      id: idOfKey(key),
      status: record.status,
      channel: record.channel,
      lang: record.lang,
      reason: record.reason,
      trigger: record.trigger,
      context: record.task ?? {},
      enqueuedAt: new Date(record.enqueuedAt).toISOString(),
      transcript,
      messages: await hub.messages(key),
    };
  }

  // ---- live events (SSE) --------------------------------------------------------------------
  const clients = new Set<{ agent: AgentIdentity; res: Response }>();
  deps.subscriber.on('message', (_channel: string, raw: string) => {
    let event: HubEvent;
    try {
      event = JSON.parse(raw) as HubEvent;
    } catch {
      return;
    }
    for (const c of clients) {
      if (event.type !== 'queue' && event.agentId && event.agentId !== c.agent.id) continue;
      c.res.write(`data: ${JSON.stringify(event)}\n\n`);
    }
  });
  void deps.subscriber.subscribe(hub.eventsChannel).catch((err: unknown) => logger.error({ err }, 'handoff: cannot subscribe to events'));

  server.get('/api/agent/events', authed(async (req, res, agent) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`data: ${JSON.stringify({ type: 'hello' })}\n\n`);
    await hub.heartbeat(agent);
    const client = { agent, res };
    clients.add(client);
    const beat = setInterval(() => {
      res.write(': ping\n\n');
      void hub.heartbeat(agent).catch(() => undefined);
    }, deps.heartbeatMs ?? 20_000);
    beat.unref();
    // Resolves when the console goes away, so restify does not finish the response early.
    await new Promise<void>((resolve) => {
      req.once('close', resolve);
      res.once('close', resolve);
    });
    clearInterval(beat);
    clients.delete(client);
  }));

  return {
    close() {
      for (const c of clients) c.res.end();
      clients.clear();
    },
  };
}
