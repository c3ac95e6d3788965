/**
 * One place that turns configuration into an ioredis client: standalone (redis://, rediss://),
 * Sentinel (redis-sentinel://h1:p1,h2:p2/masterName?db=N&password=…, parsed by redisUrl.ts) or Cluster
 * (REDIS_CLUSTER_NODES). Without any, an in-process ioredis-mock (with Redis's stream semantics, memoryRedis.ts) stands in so that the
 * Redis-backed parts (locks, queues, de-duplication, rate limits) run unchanged in dev.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { createMemoryRedis } from './memoryRedis';
import { parseHostList, parseRedisUrl, type RedisTarget } from './redisUrl';

export type RedisConnection = Redis | Cluster;

export interface RedisSettings {
  url?: string;
  clusterNodes?: string;
}

// Fail fast while disconnected so a turn gets a "temporarily unavailable" reply instead of
// hanging; ioredis keeps reconnecting in the background and recovers by itself.
const COMMON: RedisOptions = {
  maxRetriesPerRequest: 1,
  commandTimeout: 3000,
  connectTimeout: 3000,
  retryStrategy: (times) => Math.min(times * 100, 2000),
  lazyConnect: true,
  // Commands issued in the same tick (a turn's state, handoff and transcript reads and
  // writes) leave in one socket write instead of one each: fewer syscalls per turn.
  enableAutoPipelining: true,
};

export function isInMemory(settings: RedisSettings): boolean {
  return !settings.url && !settings.clusterNodes;
}

/** ioredis options for a parsed REDIS_URL (see redisUrl.ts for the forms). */
export function redisOptionsOf(target: RedisTarget): RedisOptions {
  const auth: RedisOptions = { db: target.db };
  if (target.username !== undefined) auth.username = target.username;
  if (target.password !== undefined) auth.password = target.password;
  if (target.family !== undefined) auth.family = target.family;
  if (target.kind === 'standalone') {
    return { ...auth, host: target.endpoint.host, port: target.endpoint.port, ...(target.tls ? { tls: {} } : {}) };
  }
  return {
    ...auth,
    sentinels: target.sentinels,
    name: target.masterName,
    ...(target.sentinelUsername !== undefined ? { sentinelUsername: target.sentinelUsername } : {}),
    ...(target.sentinelPassword !== undefined ? { sentinelPassword: target.sentinelPassword } : {}),
    ...(target.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
  };
}

/**
 * Cluster: a MOVED/ASK after a failover or resharding is followed at once (the slot map is
 * refreshed), while CLUSTERDOWN/TRYAGAIN (a master lost, its replica not yet promoted; a
 * multi-key command during migration) are retried after a short delay instead of failing the
 * turn. maxRedirections bounds it: about 10 × 200 ms, inside a turn's patience, after which
 * the error reaches the user as "temporarily unavailable" with the dialog kept (adapter.ts).
 */
const CLUSTER_RETRIES = {
  retryDelayOnMoved: 0,
  retryDelayOnClusterDown: 200,
  retryDelayOnTryAgain: 200,
  retryDelayOnFailover: 200,
  maxRedirections: 10,
} as const;

export function createRedis(settings: RedisSettings): RedisConnection {
  if (settings.clusterNodes) {
    return new Cluster(parseHostList(settings.clusterNodes, 6379), {
      lazyConnect: true,
      enableAutoPipelining: true,
      redisOptions: COMMON,
      clusterRetryStrategy: (times) => Math.min(times * 100, 2000),
      ...CLUSTER_RETRIES,
    });
  }
  if (!settings.url) return createMemoryRedis();
  return new Redis({ ...COMMON, ...redisOptionsOf(parseRedisUrl(settings.url)) });
}

/** Connects a lazily created client; resolves when it answers PING. */
export async function connectRedis(redis: RedisConnection): Promise<void> {
  if (redis.status === 'wait') await redis.connect();
  await redis.ping();
}

/** A second connection for subscriptions (a subscribed connection can run nothing else). */
export function duplicateRedis(redis: RedisConnection): RedisConnection {
  // Subscriber connections send SUBSCRIBE/UNSUBSCRIBE only; they gain nothing from batching.
  if (redis instanceof Cluster) return redis.duplicate(undefined, { enableAutoPipelining: false });
  return redis.duplicate({ enableAutoPipelining: false }) as RedisConnection;
}
