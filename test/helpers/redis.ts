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
