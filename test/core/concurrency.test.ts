import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { say, texts } from '../helpers/http';
import { startProcess, type Child } from '../helpers/processes';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';

describe('turns of one conversation are serialised across processes (real Redis)', () => {
  const prefix = uniquePrefix('conc');
  let redis: Redis;
  let a: Child;
  let b: Child;

  beforeAll(async () => {
    redis = testRedis();
    const env = { REDIS_URL: 'redis://127.0.0.1:6379/1', REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'silent', NODE_ENV: 'test' };
    [a, b] = await Promise.all([startProcess('test/fixtures/countingServer.ts', env), startProcess('test/fixtures/countingServer.ts', env)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  it('counts exactly 50 when 50 messages reach one conversation at once through two processes', async () => {
    const conversation = 'conc-1';
    await say(a.url, conversation, 'السلام عليكم'); // first contact: the welcome, not counted
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => say(i % 2 ? a.url : b.url, conversation, 'count')),
    );
    const counts = replies.map((r) => Number(/count=(\d+)/.exec(texts(r).join(' '))?.[1]));
    expect(counts.every((n) => Number.isInteger(n))).toBe(true);
    expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const last = await say(b.url, conversation, 'count');
    expect(texts(last).join(' ')).toContain('count=51');
  });
});
