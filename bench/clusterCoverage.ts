/**
 * What losing one Redis Cluster master does to the slots that survive, with and without
 * cluster-require-full-coverage: a 6-node Cluster (test/helpers/redisServer.ts), the product's
 * ioredis client (bot/storage/redisClient.ts) incrementing 5 keys on surviving masters every
 * 5 ms, one master SIGKILLed; prints the slowest calls before and after, and the errors.
 *   node --import tsx bench/clusterCoverage.ts
 */
import type { Cluster } from 'ioredis';
import { startCluster, stopRedis } from '../test/helpers/redisServer';
import { createRedis } from '../bot/storage/redisClient';

async function run(requireFullCoverage: boolean): Promise<void> {
  const cluster = await startCluster({ requireFullCoverage });
  const redis = createRedis({ clusterNodes: cluster.nodesEnv }) as Cluster;
  try {
    await redis.connect();
    const victim = await cluster.masterOf(Number(await redis.cluster('KEYSLOT', 'hub')));
    const keys: string[] = [];
    for (let i = 0; keys.length < 5; i++) {
      if ((await cluster.masterOf(Number(await redis.cluster('KEYSLOT', `k${i}`)))).port !== victim.port) keys.push(`k${i}`);
    }
    const calls: Array<{ at: number; ms: number; failed: boolean }> = [];
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const at = Date.now();
        const failed = await Promise.all(keys.map((k) => redis.incr(k))).then(() => false, () => true);
        calls.push({ at, ms: Date.now() - at, failed });
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    const killedAt = Date.now();
    await stopRedis(victim.proc);
    await new Promise((r) => setTimeout(r, 6000));
    stop = true;
    await loop;
    const before = Math.max(...calls.filter((c) => c.at < killedAt).map((c) => c.ms));
    const after = calls.filter((c) => c.at >= killedAt);
    console.log(
      `cluster-require-full-coverage ${requireFullCoverage ? 'yes' : 'no'}: slowest call before the kill ${before} ms; after it ${Math.max(...after.map((c) => c.ms))} ms; ` +
        `${after.filter((c) => c.failed).length} of ${after.length} rounds failed`,
    );
  } finally {
    redis.disconnect();
    await cluster.stop();
  }
}

await run(true);
await run(false);
