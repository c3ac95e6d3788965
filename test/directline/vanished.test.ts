/**
 * A conversation whose data vanished from Redis (a reset, or a restart from an older snapshot;
 * simulated here by deleting every key of the app, real Redis): its open WebSockets are closed
 * (4404), every call about it answers 404, and when the page comes back with its token (which
 * says the conversation was under way) the user is told plainly before the welcome, in their
 * language, instead of a silent fresh start. A conversation that never started, or that was
 * erased on request, is only welcomed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { deleteByPrefix, testRedis } from '../helpers/redis';
import { DL_DB, startDirectLine, t, type DirectLineHarness } from './support';

const redis = testRedis(DL_DB);
let h: DirectLineHarness;
let base: string;

beforeAll(async () => {
  h = await startDirectLine({ env: { DIRECTLINE_HEARTBEAT_SECONDS: '1' } });
  base = `${h.app.baseUrl}/v3/directline`;
});
afterAll(async () => {
  await h?.close();
  await deleteByPrefix(redis, h.prefix);
  redis.disconnect();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { started?: boolean; conv: string };

async function start(token: string, locale = 'ar-SA') {
  const res = await fetch(`${base}/conversations`, { method: 'POST', headers: auth(token), body: JSON.stringify({ locale }) });
  const body = (await res.json()) as { conversationId: string; token: string; streamUrl: string };
  await h.channel.idle();
  return { status: res.status, ...body };
}

/** The bot's texts in the conversation, oldest first. */
async function botTexts(conv: string, token: string): Promise<string[]> {
  const res = await fetch(`${base}/conversations/${conv}/activities?watermark=0`, { headers: auth(token) });
  const page = (await res.json()) as { activities: Array<{ text?: string; from?: { role?: string } }> };
  return page.activities.filter((a) => a.from?.role === 'bot' && a.text).map((a) => a.text!);
}

describe('a Direct Line conversation whose data vanished', () => {
  it('closes its sockets, answers 404, and tells the returning user plainly before the welcome', async () => {
    const fresh = await h.token();
    expect(claimsOf(fresh.token).started).toBeUndefined();
    const first = await start(fresh.token);
    expect(first.status).toBe(201);
    const conv = first.conversationId;
    // From the start on, the client's token says the conversation is under way; a refresh keeps saying it.
    expect(claimsOf(first.token).started).toBe(true);
    const refreshed = (await (await fetch(`${base}/tokens/refresh`, { method: 'POST', headers: auth(fresh.token) })).json()) as { token: string };
    expect(claimsOf(refreshed.token).started).toBe(true);
    expect((await botTexts(conv, first.token)).join('\n')).not.toContain(t('ar', 'errors.conversationLost'));

    const ws = new WebSocket(first.streamUrl);
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

    await deleteByPrefix(redis, h.prefix); // the reset

    expect(await closed).toBe(4404);
    const token = refreshed.token;
    expect((await fetch(`${base}/conversations/${conv}`, { headers: auth(token) })).status).toBe(404);
    expect((await fetch(`${base}/conversations/${conv}/activities`, { headers: auth(token) })).status).toBe(404);
    const posted = await fetch(`${base}/conversations/${conv}/activities`, { method: 'POST', headers: auth(token), body: JSON.stringify({ type: 'message', text: 'هلا' }) });
    expect(posted.status).toBe(404);
    const reopen = await new Promise<number>((resolve) => {
      const again = new WebSocket(first.streamUrl);
      again.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      again.once('open', () => (again.close(), resolve(101)));
    });
    expect(reopen).toBe(404);

    // The page comes back with its token: the same conversation starts again, and says why.
    const back = await start(token);
    expect(back.status).toBe(201);
    const said = await botTexts(conv, back.token);
    expect(said[0]).toBe(t('ar', 'errors.conversationLost'));
    expect(said.length).toBeGreaterThan(1); // then the welcome
  });

  it('in English for an English conversation; never for a conversation that never started or was erased on request', async () => {
    const en = await start((await h.token()).token, 'en-US');
    await deleteByPrefix(redis, `${h.prefix}dl:{${en.conversationId}}`);
    const enBack = await start(en.token, 'en-US');
    expect((await botTexts(en.conversationId, enBack.token))[0]).toBe(t('en', 'errors.conversationLost'));

    const never = await start((await h.token()).token);
    expect(await botTexts(never.conversationId, never.token)).not.toContain(t('ar', 'errors.conversationLost'));

    const erased = await start((await h.token()).token);
    await h.channel.store.erase(erased.conversationId);
    const erasedBack = await start(erased.token);
    expect(erasedBack.status).toBe(201);
    expect(await botTexts(erased.conversationId, erasedBack.token)).not.toContain(t('ar', 'errors.conversationLost'));
  });

  it('a client cannot claim the marks: a message posted with them gets no lost line', async () => {
    const c = await start((await h.token()).token);
    const posted = await fetch(`${base}/conversations/${c.conversationId}/activities`, {
      method: 'POST',
      headers: auth(c.token),
      body: JSON.stringify({ type: 'message', text: 'هلا', from: { id: 'x' }, channelData: { musaedConversationLost: true, musaedContinuation: true, clientActivityID: 'c1' } }),
    });
    expect(posted.status).toBe(200);
    await h.channel.idle();
    const said = await botTexts(c.conversationId, c.token);
    expect(said.length).toBeGreaterThan(2); // the welcome, the menu, the answer
    expect(said).not.toContain(t('ar', 'errors.conversationLost'));
  });
});
