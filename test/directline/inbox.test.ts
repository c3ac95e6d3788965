/**
 * The Direct Line inbox on one real process and real Redis, with a dead process played by
 * hand-written Redis keys: its claim left to expire, its entries addressed to its own (dead)
 * loopback address, a turn it completed without removing the entry, a turn cut off after
 * its reply. The live process takes each over, runs what was never run, once, and refuses
 * new messages beyond the bound while nothing drains.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { cleanRedis, DL_DB, startDirectLine, type DirectLineHarness } from './support';
import { testRedis } from '../helpers/redis';

const DEAD = 'http://127.0.0.1:9';
let h: DirectLineHarness;
let redis: Redis;

beforeAll(async () => {
  h = await startDirectLine({ env: { DIRECTLINE_INBOX_MAX: '2', DIRECTLINE_INBOX_SWEEP_MS: '100', TURN_LOCK_TTL_MS: '1000' } });
  redis = testRedis(DL_DB);
});

afterAll(async () => {
  await h?.close();
  redis?.disconnect();
  await cleanRedis(h.prefix);
});

const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const key = (conv: string, part: string) => `${h.prefix}dl:{${conv}}:${part}`;

async function conversation(): Promise<{ conv: string; token: string }> {
  const { token, conversationId: conv } = await h.token();
  expect((await fetch(`${h.app.baseUrl}/v3/directline/conversations`, { method: 'POST', headers: auth(token) })).status).toBe(201);
  await h.channel.idle();
  return { conv, token };
}

const post = (conv: string, token: string, text: string) =>
  fetch(`${h.app.baseUrl}/v3/directline/conversations/${conv}/activities`, { method: 'POST', headers: auth(token), body: JSON.stringify({ type: 'message', text }) });

/** What a process that died would have left: an entry addressed to its own loopback, indexed. */
async function orphan(conv: string, text: string): Promise<{ id: string; seq: number }> {
  const seq = await redis.incr(key(conv, 'inbox:seq'));
  const id = `${conv}|dead-${seq}`;
  const activity = {
    type: 'message',
    id,
    text,
    channelId: 'musaed.webchat',
    serviceUrl: `${DEAD}/connector/directline/`,
    conversation: { id: conv },
    from: { id: 'u-orphan', role: 'user' },
    recipient: { id: 'musaed', role: 'bot' },
  };
  await redis.rpush(key(conv, 'inbox'), `${seq}\t${JSON.stringify({ activity, origin: DEAD })}`);
  await redis.zadd(`${h.prefix}dl:inbox:pending`, Date.now() - 60_000, conv);
  return { id, seq };
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const seenCount = (id: string) => h.seen.filter((a) => a.id === id).length;

async function repliesTo(conv: string, token: string, id: string): Promise<number> {
  const res = await fetch(`${h.app.baseUrl}/v3/directline/conversations/${conv}/activities`, { headers: auth(token) });
  const { activities } = (await res.json()) as { activities: Array<{ replyToId?: string; from?: { role?: string } }> };
  return activities.filter((a) => a.from?.role === 'bot' && a.replyToId === id).length;
}

describe('Direct Line inbox', () => {
  it("takes over a dead process's inbox once its claim expires, and answers through this process", async () => {
    const { conv, token } = await conversation();
    await redis.set(key(conv, 'inbox:claim'), 'dead-process', 'PX', 800);
    const { id } = await orphan(conv, 'مرحبا');
    // Held by the dead claim: not run yet.
    await new Promise((r) => setTimeout(r, 300));
    expect(seenCount(id)).toBe(0);
    await until('the orphaned entry to be run', () => seenCount(id) === 1);
    await h.channel.idle();
    expect(seenCount(id)).toBe(1);
    // The reply reached the conversation although the entry named a dead address.
    expect(await repliesTo(conv, token, id)).toBeGreaterThan(0);
    expect(await redis.llen(key(conv, 'inbox'))).toBe(0);
  });

  it('does not run again an entry whose turn completed, or whose turn already replied, before it was removed', async () => {
    const { conv, token } = await conversation();
    await redis.set(key(conv, 'inbox:claim'), 'dead-process', 'PX', 500);
    const completed = await orphan(conv, 'first');
    const replied = await orphan(conv, 'second');
    const fresh = await orphan(conv, 'third');
    await redis.set(key(conv, 'inbox:done'), String(completed.seq)); // its turn completed; its removal was lost
    await redis.set(key(conv, 'replied'), replied.id); // its turn replied, then the process died
    await until('the fresh entry to be run', () => seenCount(fresh.id) === 1);
    await h.channel.idle();
    expect([seenCount(completed.id), seenCount(replied.id), seenCount(fresh.id)]).toEqual([0, 0, 1]);
    expect(await redis.llen(key(conv, 'inbox'))).toBe(0);
    expect(await redis.get(key(conv, 'inbox:done'))).toBe(String(fresh.seq));
    expect(await repliesTo(conv, token, fresh.id)).toBeGreaterThan(0);
  });

  it('refuses new messages with 429 while the conversation has too many waiting, and answers them when drained', async () => {
    const { conv, token } = await conversation();
    await redis.set(key(conv, 'inbox:claim'), 'stuck-process', 'PX', 60_000);
    const first = await post(conv, token, 'one');
    const second = await post(conv, token, 'two');
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await post(conv, token, 'three');
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('too_many_requests');
    // Nothing refused was stored for the page.
    const listed = await (await fetch(`${h.app.baseUrl}/v3/directline/conversations/${conv}/activities`, { headers: auth(token) })).json();
    expect((listed as { activities: Array<{ text?: string }> }).activities.map((a) => a.text)).not.toContain('three');

    await redis.del(key(conv, 'inbox:claim'));
    const ids = [((await first.json()) as { id: string }).id, ((await second.json()) as { id: string }).id];
    await until('both waiting messages to be run', () => ids.every((id) => seenCount(id) === 1));
    expect((await post(conv, token, 'four')).status).toBe(200);
  });
});
