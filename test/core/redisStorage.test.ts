import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStorage } from 'botbuilder';
import type { Redis } from 'ioredis';
import { RedisStorage, hashTagOf } from '../../bot/storage/redisStorage';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';

describe('RedisStorage on a real Redis', () => {
  let redis: Redis;
  const prefix = uniquePrefix('storage');
  let storage: RedisStorage;

  beforeAll(() => {
    redis = testRedis();
    storage = new RedisStorage(redis, { prefix, conversationTtlMs: 60_000, userTtlMs: 3_600_000 });
  });
  afterAll(async () => {
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  it('writes, reads and deletes items with eTags', async () => {
    await storage.write({ 'emulator/conversations/a': { count: 1 } });
    const first = await storage.read(['emulator/conversations/a', 'emulator/conversations/missing']);
    expect(first['emulator/conversations/a']).toMatchObject({ count: 1 });
    expect(first['emulator/conversations/missing']).toBeUndefined();
    const eTag = first['emulator/conversations/a'].eTag;
    expect(typeof eTag).toBe('string');
    await storage.write({ 'emulator/conversations/a': { count: 2, eTag } });
    const second = await storage.read(['emulator/conversations/a']);
    expect(second['emulator/conversations/a'].count).toBe(2);
    expect(second['emulator/conversations/a'].eTag).not.toBe(eTag);
    await storage.delete(['emulator/conversations/a']);
    expect(await storage.read(['emulator/conversations/a'])).toEqual({});
  });

  it('rejects a stale eTag with the same error text as MemoryStorage', async () => {
    const memory = new MemoryStorage();
    for (const s of [storage, memory]) {
      await s.write({ 'x/conversations/stale': { v: 1 } });
      const { eTag } = (await s.read(['x/conversations/stale']))['x/conversations/stale'];
      await s.write({ 'x/conversations/stale': { v: 2, eTag } });
    }
    const redisErr = await storage.write({ 'x/conversations/stale': { v: 3, eTag: '1' } }).catch((e: Error) => e.message);
    const memoryErr = await memory.write({ 'x/conversations/stale': { v: 3, eTag: '1' } }).catch((e: Error) => e.message);
    expect(redisErr).toBe('Storage: error writing "x/conversations/stale" due to eTag conflict.');
    expect(redisErr).toBe(memoryErr);
    // "*" and no eTag write unconditionally.
    await storage.write({ 'x/conversations/stale': { v: 4, eTag: '*' } });
    await storage.write({ 'x/conversations/stale': { v: 5 } });
    expect((await storage.read(['x/conversations/stale']))['x/conversations/stale'].v).toBe(5);
  });

  it('lets exactly one of two concurrent writers with the same eTag win', async () => {
    await storage.write({ 'x/conversations/race': { v: 0 } });
    const { eTag } = (await storage.read(['x/conversations/race']))['x/conversations/race'];
    const results = await Promise.allSettled([1, 2, 3, 4].map((v) => storage.write({ 'x/conversations/race': { v, eTag } })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('keys carry the prefix and a hash tag; conversation and user items get their own TTLs', async () => {
    await storage.write({ 'emulator/conversations/c1': { a: 1 }, 'emulator/users/u1': { language: 'en' } });
    const convKey = storage.redisKey('emulator/conversations/c1');
    expect(convKey).toBe(`${prefix}st:{emulator/conversations/c1}`);
    expect(hashTagOf('emulator/conversations/c1/users/u1')).toBe('emulator/conversations/c1');
    const convTtl = await redis.pttl(convKey);
    const userTtl = await redis.pttl(storage.redisKey('emulator/users/u1'));
    expect(convTtl).toBeGreaterThan(0);
    expect(convTtl).toBeLessThanOrEqual(60_000);
    expect(userTtl).toBeGreaterThan(60_000);
  });
});
