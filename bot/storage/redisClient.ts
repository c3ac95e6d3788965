/**
 * One place that turns configuration into an ioredis client: standalone (redis://, rediss://),
 * Sentinel (redis-sentinel://h1:p1,h2:p2/masterName?db=N&password=…, parsed by redisUrl.ts) or Cluster
 * (REDIS_CLUSTER_NODES). Without any, an in-process ioredis-mock (with Redis's stream semantics, memoryRedis.ts) stands in so that the
 * Redis-backed parts (locks, queues, de-duplication, rate limits) run unchanged in dev.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { createMemoryRedis } from './memoryRedis';
import { describeRedisTarget, parseHostList, parseRedisUrl, type RedisTarget } from './redisUrl';

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
    // Follow a failover as soon as a sentinel announces it (+switch-master) instead of writing
    // to the demoted master until it drops us: fewer writes go to a node about to be flushed.
    failoverDetector: true,
    // A master turned replica answers READONLY: reconnect (through the sentinels) and fail
    // this command, which the turn reports as "temporarily unavailable".
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 1 : false),
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

/** `tuning` (benches, tests) overrides single ioredis options of a standalone or Sentinel client. */
export function createRedis(settings: RedisSettings, tuning: Partial<RedisOptions> = {}): RedisConnection {
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
  return new Redis({ ...COMMON, ...redisOptionsOf(parseRedisUrl(settings.url)), ...tuning });
}

/** Where settings point, for messages (no password): "redis://h:6379 (db 0)", the Sentinel master, the Cluster seeds. */
export function describeRedis(settings: RedisSettings): string {
  if (settings.clusterNodes) return `Cluster ${parseHostList(settings.clusterNodes, 6379).map((e) => `${e.host}:${e.port}`).join(',')}`;
  if (!settings.url) return 'in-memory';
  return describeRedisTarget(parseRedisUrl(settings.url));
}

export class RedisUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnreachableError';
  }
}

/**
 * Connects a lazily created client; resolves when it answers PING. With `target` (describeRedis),
 * a failure says which Redis could not be reached and why (the socket's own error, e.g.
 * ECONNREFUSED, rather than ioredis' "Connection is closed."); it also gives up after
 * `withinMs` (ioredis would ask unreachable sentinels forever).
 */
export async function connectRedis(redis: RedisConnection, target?: string, withinMs = 10_000): Promise<void> {
  let cause: Error | undefined;
  const remember = (err: Error) => (cause = err);
  redis.on('error', remember);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${withinMs / 1000} s`)), withinMs);
  });
  try {
    const connect = (async () => {
      if (redis.status === 'wait') await redis.connect();
      await redis.ping();
    })();
    connect.catch(() => undefined); // when the deadline wins, its later failure is expected
    await (target === undefined ? connect : Promise.race([connect, late]));
  } catch (err) {
    if (target === undefined) throw err;
    const why = (cause ?? (err as Error)).message;
    throw new RedisUnreachableError(`Redis ${target} could not be reached: ${why}`);
  } finally {
    clearTimeout(timer);
    redis.off('error', remember);
  }
}

/** A second connection for subscriptions (a subscribed connection can run nothing else). */
export function duplicateRedis(redis: RedisConnection): RedisConnection {
  // Subscriber connections send SUBSCRIBE/UNSUBSCRIBE only; they gain nothing from batching.
  if (redis instanceof Cluster) return redis.duplicate(undefined, { enableAutoPipelining: false });
  return redis.duplicate({ enableAutoPipelining: false }) as RedisConnection;
}
