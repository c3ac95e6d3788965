/** Real Redis for tests: a database of the suite's own and a unique key prefix, cleaned after. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const CORE_DB = 1;

export function uniquePrefix(name: string): string {
  return `t:${name}:${randomBytes(4).toString('hex')}:`;
}

export function testRedis(db = CORE_DB): Redis {
  return new Redis({ host: '127.0.0.1', port: 6379, db, maxRetriesPerRequest: 1 });
}

export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

/** Every key under the prefix (SCAN, so a test can see what a feature left behind). */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Each key under the prefix with its value as text (strings, lists, hashes, sets, sorted sets, streams): what is kept at rest. */
export async function dumpUnder(redis: Redis, prefix: string): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const key of await keysUnder(redis, prefix)) {
    const type = await redis.type(key);
    let value = '';
    if (type === 'string') value = (await redis.get(key)) ?? '';
    if (type === 'list') value = JSON.stringify(await redis.lrange(key, 0, -1));
    if (type === 'hash') value = JSON.stringify(await redis.hgetall(key));
    if (type === 'set') value = JSON.stringify(await redis.smembers(key));
    if (type === 'zset') value = JSON.stringify(await redis.zrange(key, 0, -1));
    if (type === 'stream') value = JSON.stringify(await redis.xrange(key, '-', '+'));
    out.push([key, value]);
  }
  return out;
}
