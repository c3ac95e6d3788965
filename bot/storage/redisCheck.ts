/**
 * Start-up look at the Redis the bot was given: what a restart or failover would lose. One
 * warning line per problem; nothing here stops the start (managed Redis often disables CONFIG,
 * and development runs without persistence on purpose).
 *
 * - AOF off (`appendonly no`): a restart loads the last RDB snapshot, minutes old, so every
 *   conversation started or advanced since then is gone (the user is back at the start).
 * - `appendfsync no`: the kernel decides when the AOF reaches the disk (up to ~30 s lost on a
 *   crash of the machine); `everysec` loses at most about a second.
 * - fewer replicas connected than REDIS_MIN_REPLICAS_ACK: every save will be refused until
 *   they connect.
 */
import { Cluster, type Redis } from 'ioredis';
import type { RedisConnection } from './redisClient';

export interface RedisCheckOptions {
  /** NODE_ENV=production: persistence problems are warnings; otherwise they are not mentioned. */
  productionLike: boolean;
  minReplicas: number;
}

/** CONFIG GET name on one node; undefined when CONFIG is disabled, renamed or refused. */
async function configValue(node: Redis, name: string): Promise<string | undefined> {
  try {
    const reply = (await node.call('CONFIG', 'GET', name)) as unknown;
    return Array.isArray(reply) && reply.length >= 2 ? String(reply[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function connectedReplicas(node: Redis): Promise<number | undefined> {
  try {
    const info = await node.info('replication');
    const m = /connected_slaves:(\d+)/.exec(info);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The problems found, one line each (the caller logs them as warnings). */
export async function redisSetupProblems(redis: RedisConnection, options: RedisCheckOptions): Promise<string[]> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const problems: string[] = [];
  for (const node of nodes) {
    const where = redis instanceof Cluster ? ` on ${node.options.host}:${node.options.port}` : '';
    if (options.productionLike) {
      const [aof, fsync] = await Promise.all([configValue(node, 'appendonly'), configValue(node, 'appendfsync')]);
      if (aof === 'no') {
        problems.push(`Redis persistence: appendonly is "no"${where}: a restart reloads an old snapshot and conversations roll back; set appendonly yes, appendfsync everysec`);
      } else if (aof === 'yes' && fsync === 'no') {
        problems.push(`Redis persistence: appendfsync is "no"${where}: a machine crash may lose up to ~30 s of state; set appendfsync everysec`);
      }
    }
    if (options.minReplicas > 0) {
      const replicas = await connectedReplicas(node);
      if (replicas !== undefined && replicas < options.minReplicas) {
        problems.push(`REDIS_MIN_REPLICAS_ACK=${options.minReplicas} but ${replicas} replica(s) are connected${where}: every save is refused ("temporarily unavailable") until enough replicas connect`);
      }
    }
  }
  return problems;
}
