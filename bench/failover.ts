/**
 * `node --import tsx bench/failover.ts`: what a Redis Sentinel (or Cluster) fault under load costs, before
 * and after issue #21's change. For each case a fresh Sentinel set (Debian's redis-server and
 * redis-sentinel on free ports, 3 sentinels, quorum 2, down-after 1 s) and 16 conversations
 * counting turns through two apps (test/helpers/failoverLoad.ts), then SENTINEL FAILOVER or
 * the master SIGKILLed (brought back empty a moment after the switch, as a supervisor would).
 *
 *   before: ioredis without failover detection, REDIS_MIN_REPLICAS_ACK=0 (the old client)
 *   after:  the product's client (failoverDetector) and REDIS_MIN_REPLICAS_ACK=1
 *
 *   FAILOVER_CASES  default "failover:before:1,failover:after:1,kill:before:1,kill:after:1,failover:after:2:1,failover:after:2:2"
 *                   (fault:mode:replicas[:REDIS_MIN_REPLICAS_ACK, default 1])
 *
 *   FAILOVER_REDIS  "sentinel" (default) or "cluster": a fresh 6-node Redis Cluster per case (3 masters,
 *                   one replica each, cluster-node-timeout 1 s); the fault hits the master holding
 *                   the first conversation's state: kill = SIGKILL, then restarted with its
 *                   nodes.conf (empty) as a supervisor would; failover = CLUSTER FAILOVER FORCE on
 *                   its replica. `before` is REDIS_MIN_REPLICAS_ACK=0 with the same client.
 *                   Replicas must be 1 (default cases: failover/kill × before/after).
 *
 * Prints one JSON line per case: turns, acknowledged, polite failures, other failures, lost
 * acknowledged updates (and in how many conversations), recovery (fault → end of the last
 * failed turn), the longest stall of one conversation, and when the sentinels switched and a
 * replica was back online (ms after the fault).
 */
import { clusterTarget, runFailoverLoad, sentinelTarget, type Fault, type FailoverTarget, type Mode } from '../test/helpers/failoverLoad';
import { startCluster, startSentinelSet } from '../test/helpers/redisServer';

const onCluster = process.env.FAILOVER_REDIS === 'cluster';
const DEFAULT_CASES = onCluster
  ? 'failover:before:1,failover:after:1,kill:before:1,kill:after:1'
  : 'failover:before:1,failover:after:1,kill:before:1,kill:after:1,failover:after:2:1,failover:after:2:2';
const CASES = (process.env.FAILOVER_CASES ?? DEFAULT_CASES).split(',');

/** A fresh Sentinel set or Cluster for one case, its replicas in sync. */
async function startTarget(replicas: number): Promise<{ target: FailoverTarget; stop: () => Promise<void> }> {
  if (!onCluster) {
    const set = await startSentinelSet({ replicas, sentinels: 3, downAfterMs: 1000 });
    return { target: sentinelTarget(set), stop: () => set.stop() };
  }
  if (replicas !== 1) throw new Error('FAILOVER_REDIS=cluster: one replica per master only');
  const cluster = await startCluster();
  // The three ranges of `redis-cli --cluster create`: every master's replica synced before the load.
  await Promise.all([0, 5461, 10923].map((slot) => cluster.replicasOnline(slot, 1)));
  return { target: clusterTarget(cluster), stop: () => cluster.stop() };
}

for (const spec of CASES) {
  const [fault, mode, replicas, ack] = spec.split(':') as [Fault, Mode, string, string | undefined];
  const { target, stop } = await startTarget(Number(replicas ?? 1));
  try {
    const figures = await runFailoverLoad({ target, fault, mode, prefix: `bench:fo:${fault}:`, conversations: 16, maxAfterFaultMs: 25_000, minReplicasAck: Number(ack ?? 1) });
    process.stdout.write(`${JSON.stringify({ redis: onCluster ? 'cluster' : 'sentinel', replicas: Number(replicas ?? 1), ack: mode === 'after' ? Number(ack ?? 1) : 0, ...figures })}\n`);
  } finally {
    await stop();
  }
}
process.exit(0);
