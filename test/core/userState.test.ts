/**
 * User state is written only when there is something to keep (issue 17, item 2): a turn from
 * a new, random from.id left a user key living USER_TTL_SECONDS (a year) even though it held
 * nothing; only an explicit language choice is kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startApp } from '../helpers/app';
import { CORE_DB, deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { say } from '../helpers/http';
import type { App } from '../../bot/app';

describe('user state on real Redis', () => {
  const prefix = uniquePrefix('userstate');
  let redis: Redis;
  let app: App & { baseUrl: string };
  beforeAll(async () => {
    redis = testRedis(CORE_DB);
    app = await startApp({ REDIS_URL: `redis://127.0.0.1:6379/${CORE_DB}`, REDIS_KEY_PREFIX: prefix });
  });
  afterAll(async () => {
    await app?.close();
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  const userKeys = async (userId: string) => (await redis.keys(`${prefix}*`)).filter((k) => k.includes(`/users/${userId}`) && !k.includes('/conversations/'));

  it('a new user without a language preference leaves no user key', async () => {
    const userId = `random-${Math.random().toString(36).slice(2)}`;
    await say(app.baseUrl, 'us-1', 'السلام عليكم', { userId });
    await say(app.baseUrl, 'us-1', 'hello there', { userId, locale: 'en-US' });
    expect(await redis.keys(`${prefix}*`)).not.toHaveLength(0); // the conversation itself is stored
    expect(await userKeys(userId)).toEqual([]);
  });

  it('an explicit language choice is kept in user state', async () => {
    const userId = `chooser-${Math.random().toString(36).slice(2)}`;
    await say(app.baseUrl, 'us-2', 'السلام عليكم', { userId });
    await say(app.baseUrl, 'us-2', 'English', { userId });
    const keys = await userKeys(userId);
    expect(keys).toHaveLength(1);
    expect(await redis.hget(keys[0]!, 'd')).toContain('"language":"en"');
  });
});
