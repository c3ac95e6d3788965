/**
 * One place that turns configuration into an ioredis client: standalone (redis://, rediss://),
 * Sentinel (redis-sentinel://h1:p1,h2:p2/masterName?db=N&password=…) or Cluster
 * (REDIS_CLUSTER_NODES). Without any, an in-process ioredis-mock stands in so that the
 * Redis-backed parts (locks, queues, de-duplication, rate limits) run unchanged in dev.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import RedisMock from 'ioredis-mock';

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

function parseHostPort(s: string): { host: string; port: number } {
  const [host, port] = s.trim().split(':');
  return { host: host || '127.0.0.1', port: Number(port || 6379) };
}

export function isInMemory(settings: RedisSettings): boolean {
  return !settings.url && !settings.clusterNodes;
}

export function createRedis(settings: RedisSettings): RedisConnection {
  if (settings.clusterNodes) {
    return new Cluster(settings.clusterNodes.split(',').map(parseHostPort), {
      lazyConnect: true,
      enableAutoPipelining: true,
      redisOptions: COMMON,
      clusterRetryStrategy: (times) => Math.min(times * 100, 2000),
    });
  }
  if (!settings.url) return new RedisMock() as unknown as Redis;
  const url = new URL(settings.url);
  if (url.protocol === 'redis-sentinel:') {
    const sentinels = decodeURIComponent(url.host).split(',').map(parseHostPort);
    const name = url.pathname.replace(/^\//, '') || 'mymaster';
    return new Redis({
      ...COMMON,
      sentinels,
      name,
      db: Number(url.searchParams.get('db') ?? 0),
      password: url.searchParams.get('password') ?? undefined,
    });
  }
  return new Redis(settings.url, COMMON);
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
