import { afterAll, describe, expect, it } from 'vitest';
import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { createUserRateLimiter, minutesToWait, userKey } from '../../dialogs/rateLimit';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';

const STATUS_DB = 9;

function contextFor(channelId: string, userId: string): TurnContext {
  const activity: Partial<Activity> = {
    type: 'message',
    channelId,
    from: { id: userId, name: 'u' },
    conversation: { id: `c-${userId}`, isGroup: false, conversationType: 'personal', name: '' },
    recipient: { id: 'bot', name: 'bot' },
    text: 'x',
  };
  return new TurnContext(new TestAdapter(), activity);
}

describe('per-user rate limit (real Redis DB 9)', () => {
  const redis = testRedis(STATUS_DB);
  const prefix = uniquePrefix('status-rl');
  afterAll(async () => {
    await deleteByPrefix(redis, prefix);
    await redis.quit();
  });

  it('allows the budget, then refuses with the time to wait; other users are not affected', async () => {
    const limiter = createUserRateLimiter({ redis, redisPrefix: prefix }, 'lookup', { points: 3, durationSeconds: 600 });
    const alice = contextFor('webchat', 'alice');
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.consume(alice));
    expect(results.slice(0, 3).map((r) => r.allowed)).toEqual([true, true, true]);
    expect(results[2]).toEqual({ allowed: true, remaining: 0 });
    const refused = results[3]!;
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) {
      expect(refused.retryAfterMs).toBeGreaterThan(590_000);
      expect(minutesToWait(refused.retryAfterMs)).toBe(10);
    }
    expect((await limiter.consume(contextFor('webchat', 'bob'))).allowed).toBe(true);
    // The same id on another channel is another person.
    expect((await limiter.consume(contextFor('whatsapp', 'alice'))).allowed).toBe(true);
  });

  it('keeps the count in Redis under a hashed key, shared by every instance', async () => {
    const store = { redis, redisPrefix: prefix };
    const a = createUserRateLimiter(store, 'shared', { points: 2, durationSeconds: 60 });
    const b = createUserRateLimiter(store, 'shared', { points: 2, durationSeconds: 60 });
    const ctx = contextFor('emulator', 'carol-0551234567');
    expect((await a.consume(ctx)).allowed).toBe(true);
    expect((await b.consume(ctx)).allowed).toBe(true);
    expect((await a.consume(ctx)).allowed).toBe(false);
    const keys = await redis.keys(`${prefix}rl:shared*`);
    expect(keys).toEqual([`${prefix}rl:shared:${userKey(ctx)}`]);
    expect(keys[0]).not.toContain('carol');
    expect(Number(await redis.get(keys[0]!))).toBe(3);
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(50_000);
  });

  it('works in memory when there is no Redis', async () => {
    const limiter = createUserRateLimiter({}, 'mem', { points: 1, durationSeconds: 60 });
    const ctx = contextFor('test', 'dave');
    expect((await limiter.consume(ctx)).allowed).toBe(true);
    const second = await limiter.consume(ctx);
    expect(second.allowed).toBe(false);
    expect(minutesToWait(1)).toBe(1);
  });
});
