/**
 * `node --import tsx bench/failover.ts`: what a Redis Sentinel fault under load costs, before
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
 * Prints one JSON line per case: turns, acknowledged, polite failures, other failures, lost
 * acknowledged updates (and in how many conversations), recovery (fault → end of the last
 * failed turn), the longest stall of one conversation, and when the sentinels switched and a
 * replica was back online (ms after the fault).
 */
import { runFailoverLoad, sentinelTarget, type Fault, type Mode } from '../test/helpers/failoverLoad';
import { startSentinelSet } from '../test/helpers/redisServer';

const CASES = (process.env.FAILOVER_CASES ?? 'failover:before:1,failover:after:1,kill:before:1,kill:after:1,failover:after:2:1,failover:after:2:2').split(',');

for (const spec of CASES) {
  const [fault, mode, replicas, ack] = spec.split(':') as [Fault, Mode, string, string | undefined];
  const set = await startSentinelSet({ replicas: Number(replicas ?? 1), sentinels: 3, downAfterMs: 1000 });
  try {
    const figures = await runFailoverLoad({ target: sentinelTarget(set), fault, mode, prefix: `bench:fo:${fault}:`, conversations: 16, maxAfterFaultMs: 25_000, minReplicasAck: Number(ack ?? 1) });
    process.stdout.write(`${JSON.stringify({ replicas: Number(replicas ?? 1), ack: mode === 'after' ? Number(ack ?? 1) : 0, ...figures })}\n`);
  } finally {
    await set.stop();
  }
}
process.exit(0);
