/**
 * Direct Line 3.0 over plain HTTP, as a client on another machine would call it, for the
 * multi-process tests: start a conversation with the channel secret, post a message (with a
 * client-side deadline, recording what came back), and read the whole history page by page.
 */
import { CONNECTOR_SECRET_HEADER } from '../../bot/adapter';

export interface ListedActivity {
  id: string;
  type: string;
  text?: string;
  replyToId?: string;
  from?: { role?: string };
}

/** What one POST of a message came to: 200 with the activity id, another status with its body, or no answer in time (status 0). */
export interface PostResult {
  status: number;
  id?: string;
  body: string;
  /** When the request was sent and when its answer (or the client's deadline) came, ms since the epoch. */
  sentAt: number;
  doneAt: number;
}

export const dlHeaders = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

/** Starts a conversation with the channel secret; its token and id. */
export async function startConversation(url: string, secret: string): Promise<{ conv: string; token: string }> {
  const res = await fetch(`${url}/v3/directline/conversations`, { method: 'POST', headers: dlHeaders(secret), body: '{}' });
  if (res.status !== 201) throw new Error(`starting a conversation answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { conversationId: string; token: string };
  return { conv: body.conversationId, token: body.token };
}

/** One POST with a client-side deadline; never throws (a refused connection or the deadline is status 0). */
async function timedPost(target: string, headers: Record<string, string>, body: unknown, timeoutMs: number): Promise<PostResult> {
  const sentAt = Date.now();
  try {
    const res = await fetch(target, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    const id = res.status === 200 ? (JSON.parse(text) as { id?: string }).id : undefined;
    return { status: res.status, ...(id ? { id } : {}), body: text, sentAt, doneAt: Date.now() };
  } catch (err) {
    return { status: 0, body: String(err), sentAt, doneAt: Date.now() };
  }
}

/** Posts one user message, as a page does. */
export function postMessage(url: string, conv: string, token: string, text: string, timeoutMs = 15_000): Promise<PostResult> {
  return timedPost(`${url}/v3/directline/conversations/${conv}/activities`, dlHeaders(token), { type: 'message', text, from: { id: 'u' } }, timeoutMs);
}

/**
 * Sends a bot message to the conversation the way the bot's Connector client does for a
 * proactive message (a notification, an agent's words): the loopback Connector route, signed
 * with CONNECTOR_SECRET.
 */
export function postBotMessage(url: string, conv: string, connectorSecret: string, text: string, timeoutMs = 15_000): Promise<PostResult> {
  return timedPost(
    `${url}/connector/directline/v3/conversations/${conv}/activities`,
    { [CONNECTOR_SECRET_HEADER]: connectorSecret, 'content-type': 'application/json' },
    { type: 'message', text, from: { id: 'bot', role: 'bot' }, conversation: { id: conv } },
    timeoutMs,
  );
}

/** The whole activity list of a conversation, page by page (watermarks). */
export async function allActivities(url: string, conv: string, token: string): Promise<ListedActivity[]> {
  const all: ListedActivity[] = [];
  let watermark = 0;
  for (;;) {
    const res = await fetch(`${url}/v3/directline/conversations/${conv}/activities?watermark=${watermark}`, { headers: dlHeaders(token) });
    if (res.status !== 200) throw new Error(`reading ${conv} answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as { activities: ListedActivity[]; watermark: string };
    all.push(...page.activities);
    if (page.activities.length === 0 || Number(page.watermark) === watermark) return all;
    watermark = Number(page.watermark);
  }
}
