/**
 * botbuilder Storage on Redis. Each item is a hash {e: eTag counter, d: JSON document}; the
 * eTag check and the write happen in one Lua script so that two processes cannot both win.
 * Keys carry a hash tag so that all keys of one conversation land in one Cluster slot.
 * A save counts only once enough replicas hold it, and a save of the turn's own conversation
 * checks the turn still holds its lock (durableWrites.ts).
 */
import type { Storage, StoreItems } from 'botbuilder';
import type { RedisConnection } from './redisClient';
import { acknowledged, fenceFor, LEASE_LOST, WriteNotDurableError } from './durableWrites';

// KEYS[2] is the turn's lock (same slot) when ARGV[4] holds its token, else KEYS[1] again.
const WRITE_SCRIPT = `
if ARGV[4] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[4] then
  return redis.error_reply('${LEASE_LOST}')
end
local cur = redis.call('HGET', KEYS[1], 'e')
local want = ARGV[1]
if want ~= '' and want ~= '*' and cur and cur ~= want then
  return redis.error_reply('ETAG_CONFLICT')
end
local e = redis.call('HINCRBY', KEYS[1], 'e', 1)
redis.call('HSET', KEYS[1], 'd', ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return e
`;

export interface RedisStorageOptions {
  prefix?: string;
  /** Idle lifetime of conversation-scoped items (ms); 0 keeps them forever. */
  conversationTtlMs?: number;
  /** Lifetime of user-scoped items such as the language preference (ms). */
  userTtlMs?: number;
}

type WithWrite = RedisConnection & {
  musaedStorageWrite(key: string, lockKey: string, eTag: string, doc: string, ttlMs: string, lockToken: string): Promise<number>;
};

/** The part of a botbuilder storage key that names the conversation or user it belongs to. */
export function hashTagOf(key: string): string {
  // botbuilder keys: "<channel>/conversations/<id>", "<channel>/users/<id>", "<channel>/conversations/<id>/users/<id>".
  const m = /^([^/]*\/(?:conversations|users)\/[^/]*)/.exec(key);
  return (m ? m[1] : key).replace(/[{}]/g, '_');
}

export class RedisStorage implements Storage {
  private readonly redis: WithWrite;
  private readonly prefix: string;
  private readonly conversationTtlMs: number;
  private readonly userTtlMs: number;

  constructor(redis: RedisConnection, options: RedisStorageOptions = {}) {
    this.prefix = options.prefix ?? 'musaed:';
    this.conversationTtlMs = options.conversationTtlMs ?? 24 * 3600_000;
    this.userTtlMs = options.userTtlMs ?? 365 * 24 * 3600_000;
    if (!('musaedStorageWrite' in redis)) {
      redis.defineCommand('musaedStorageWrite', { numberOfKeys: 2, lua: WRITE_SCRIPT });
    }
    this.redis = redis as WithWrite;
  }

  /** The Redis key of a storage key: prefix + "st:{" + hash tag + "}" + the rest. */
  redisKey(key: string): string {
    const tag = hashTagOf(key);
    return `${this.prefix}st:{${tag}}${key.slice(tag.length)}`;
  }

  private ttlFor(key: string): number {
    return /\/conversations\//.test(key) ? this.conversationTtlMs : this.userTtlMs;
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    // BotState reads one key at a time; plain HMGETs issued together are batched by the
    // client's auto-pipelining, without building a Pipeline object per read.
    const values = await Promise.all(keys.map((key) => this.redis.hmget(this.redisKey(key), 'e', 'd')));
    keys.forEach((key, i) => {
      const [eTag, doc] = values[i] ?? [null, null];
      if (doc != null) items[key] = { ...(JSON.parse(doc) as object), eTag: eTag ?? undefined };
    });
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await Promise.all(
      Object.entries(changes).map(async ([key, item]) => {
        const { eTag, ...doc } = (item ?? {}) as { eTag?: string } & Record<string, unknown>;
        const redisKey = this.redisKey(key);
        const fence = fenceFor(redisKey);
        try {
          await acknowledged(this.redis, redisKey, () =>
            this.redis.musaedStorageWrite(redisKey, fence?.key ?? redisKey, eTag ?? '', JSON.stringify(doc), String(this.ttlFor(key)), fence?.token ?? ''),
          );
        } catch (err) {
          if (err instanceof Error && err.message.includes('ETAG_CONFLICT')) {
            // Same text as botbuilder's MemoryStorage, so callers can treat both alike.
            throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
          }
          if (err instanceof Error && err.message.includes(LEASE_LOST)) {
            throw new WriteNotDurableError('the turn no longer holds its conversation lock (its lease lapsed or was taken over): state not saved');
          }
          throw err;
        }
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.del(this.redisKey(key));
    await pipeline.exec();
  }
}
