/**
 * Sentinel faults under load lose nothing the user was told: a real Sentinel set (1 master,
 * 1 replica, 3 sentinels from Debian's redis-server/redis-sentinel, on free ports), 16
 * conversations counting turns through two apps with REDIS_MIN_REPLICAS_ACK=1, then
 * (a) SENTINEL FAILOVER and (b) the master SIGKILLed (and brought back, empty, as a supervisor
 * would). Every turn answered normally is in the state afterwards, every other turn got the
 * polite "temporarily unavailable" reply, and the bot recovers by itself. Only this suite's
 * processes are killed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runFailoverLoad, sentinelTarget, type Fault } from '../helpers/failoverLoad';
import { startSentinelSet, type SentinelSet } from '../helpers/redisServer';

describe('Redis Sentinel faults under load (REDIS_MIN_REPLICAS_ACK=1)', () => {
  let set: SentinelSet | undefined;
  afterEach(async () => {
    await set?.stop();
    set = undefined;
  });

  it.each<[Fault]>([['failover'], ['kill']])('%s: 0 lost acknowledged updates, every failed turn told politely', async (fault) => {
    set = await startSentinelSet({ replicas: 1, sentinels: 3, downAfterMs: 1000 });
    const figures = await runFailoverLoad({ target: sentinelTarget(set), fault, mode: 'after', prefix: `t:fo:${fault}:`, conversations: 16, maxAfterFaultMs: 20_000 });
    // The figures go to the log: recovery time is reported, not asserted.
    console.log(JSON.stringify(figures));
    expect(figures.acknowledged).toBeGreaterThan(figures.conversations);
    expect(figures.lostUpdates).toBe(0);
    expect(figures.otherFailures).toBe(0);
    // The fault was felt (some turns refused) and the load ran past it: recovery happened.
    expect(figures.politeFailures).toBeGreaterThan(0);
  }, 60_000);
});
