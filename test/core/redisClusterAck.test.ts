/**
 * REDIS_MIN_REPLICAS_ACK on a real Redis Cluster (6 nodes: 3 masters, 3 replicas,
 * test/helpers/redisServer.ts):
 *  - acknowledged() sends WAIT to the master of the written key's slot, and to no other node
 *    (INFO commandstats cmdstat_wait on every node), for keys on each of the three masters;
 *    too few replicas, or a slot whose master changed between the write and its WAIT, is
 *    WriteNotDurableError (the polite "temporarily unavailable"), never a WAIT on another node;
 *  - a handoff's record and queue entry each wait on their own master;
 *  - the start-up check counts the replicas of every master;
 *  - conversations counting turns through two apps while the master holding one of them is
 *    SIGKILLed (and restarted, as a supervisor would) or replaced by CLUSTER FAILOVER FORCE on
 *    its replica: 0 acknowledged updates lost, every failed turn told politely
 *    (test/helpers/failoverLoad.ts, the same load as the Sentinel suite).
 * Only this suite's processes are killed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, Command, Redis } from 'ioredis';
import { connectRedis, createRedis } from '../../bot/storage/redisClient';
import { acknowledged, configureReplicaAck, WriteNotDurableError } from '../../bot/storage/durableWrites';
import { redisSetupProblems } from '../../bot/storage/redisCheck';
import { isUnavailableError } from '../../bot/adapter';
import { keyOfReference } from '../../adapters/handoff/hub';
import { clusterTarget, runFailoverLoad, type Fault } from '../helpers/failoverLoad';
import { startCluster, type RedisClusterHandle } from '../helpers/redisServer';
import { bareHub, emulatorReference } from '../helpers/bareHub';

const slotOf = (key: string) => new Command('get', [key]).getSlot();

/** Right after CLUSTER CREATE the replicas are still syncing: waits for every master's (the three ranges of `redis-cli --cluster create`). */
const replicasSynced = (cluster: RedisClusterHandle) => Promise.all([0, 5461, 10923].map((slot) => cluster.replicasOnline(slot, 1)));

/** WAIT calls served so far by every node (masters and replicas), by port. */
async function waitCalls(cluster: RedisClusterHandle): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const node of cluster.nodes) {
    const r = new Redis({ host: '127.0.0.1', port: node.port, maxRetriesPerRequest: 0 });
    try {
      counts.set(node.port, Number(/cmdstat_wait:calls=(\d+)/.exec(await r.info('commandstats'))?.[1] ?? 0));
    } finally {
      r.disconnect();
    }
  }
  return counts;
}

describe('REDIS_MIN_REPLICAS_ACK on a Redis Cluster', () => {
  let cluster: RedisClusterHandle | undefined;
  let client: Cluster | undefined;
  afterEach(async () => {
    client?.disconnect();
    client = undefined;
    await cluster?.stop();
    cluster = undefined;
  });

  it('WAIT goes to the master of the written key, on each master; too few replicas or a changed master is not durable', async () => {
    cluster = await startCluster();
    const c = createRedis({ clusterNodes: cluster.nodesEnv }) as Cluster;
    client = c;
    await connectRedis(c);
    await replicasSynced(cluster);
    configureReplicaAck(c, { minReplicas: 1, timeoutMs: 1000 });

    // One key per master.
    const byMaster = new Map<number, string>();
    for (let i = 0; byMaster.size < 3; i++) {
      const key = `t:ack:{k${i}}:state`;
      const port = (await cluster.masterOf(slotOf(key))).port;
      if (!byMaster.has(port)) byMaster.set(port, key);
    }
    for (const [port, key] of byMaster) {
      // The slot the WAIT is routed by is Redis's own.
      expect(Number(await c.cluster('KEYSLOT', key))).toBe(slotOf(key));
      const before = await waitCalls(cluster);
      expect(await acknowledged(c, key, () => c.set(key, 'v'))).toBe('OK');
      const after = await waitCalls(cluster);
      const grew = [...after].filter(([p, n]) => n !== before.get(p)).map(([p, n]) => [p, n - before.get(p)!]);
      expect(grew, key).toEqual([[port, 1]]);
    }

    // Two replicas required, one each: the write is made but does not count.
    const key = [...byMaster.values()][0]!;
    configureReplicaAck(c, { minReplicas: 2, timeoutMs: 50 });
    const few = await acknowledged(c, key, () => c.set(key, 'w')).catch((e: unknown) => e);
    expect(few).toBeInstanceOf(WriteNotDurableError);
    expect(isUnavailableError(few)).toBe(true);

    // The slot's master changes between the write and its WAIT (as after a failover's map
    // refresh or a MOVED): not durable, and no WAIT is sent to the new one.
    configureReplicaAck(c, { minReplicas: 1, timeoutMs: 1000 });
    const slot = slotOf(key);
    const owner = c.slots[slot]!;
    const other = [...byMaster.keys()].find((p) => !owner[0]!.endsWith(`:${p}`))!;
    const before = await waitCalls(cluster);
    const moved = await acknowledged(c, key, async () => {
      const r = await c.set(key, 'x');
      c.slots[slot] = [`127.0.0.1:${other}`];
      return r;
    }).catch((e: unknown) => e);
    c.slots[slot] = owner;
    expect(moved).toBeInstanceOf(WriteNotDurableError);
    expect(String(moved)).toContain(`slot ${slot} changed`);
    expect(await waitCalls(cluster)).toEqual(before);
    // And the map back as it was, the next write counts again.
    expect(await acknowledged(c, key, () => c.set(key, 'y'))).toBe('OK');

    // A handoff the user is told about: its record (the conversation's slot) and its queue entry
    // ({hub}) each wait on their own master.
    const hub = bareHub(c, 't:ack:');
    const reference = emulatorReference('ho-ack');
    const expected = new Map<number, number>();
    for (const k of [hub.convKey(keyOfReference(reference)), hub.queueKey]) {
      const port = (await cluster.masterOf(slotOf(k))).port;
      expected.set(port, (expected.get(port) ?? 0) + 1);
    }
    const beforeHandoff = await waitCalls(cluster);
    expect(await hub.enqueue({ reference, lang: 'ar', reason: 'passport', trigger: 'user' })).toMatchObject({ position: 1 });
    const afterHandoff = await waitCalls(cluster);
    expect(new Map([...afterHandoff].filter(([p, n]) => n !== beforeHandoff.get(p)).map(([p, n]) => [p, n - beforeHandoff.get(p)!]))).toEqual(expected);

    // The start-up check looks at every master.
    expect(await redisSetupProblems(c, { productionLike: false, minReplicas: 1 })).toEqual([]);
    const short = await redisSetupProblems(c, { productionLike: false, minReplicas: 2 });
    expect(short).toHaveLength(3);
    for (const port of byMaster.keys()) expect(short.join('\n')).toContain(`on 127.0.0.1:${port}`);
  }, 60_000);

  it.each<[Fault]>([['kill'], ['failover']])('%s of a master under load: 0 lost acknowledged updates, every failed turn told politely', async (fault) => {
    cluster = await startCluster();
    await replicasSynced(cluster);
    const figures = await runFailoverLoad({ target: clusterTarget(cluster), fault, mode: 'after', prefix: `t:cfo:${fault}:`, conversations: 16, maxAfterFaultMs: 20_000 });
    // The figures go to the log: recovery time is reported, not asserted.
    console.log(JSON.stringify({ redis: 'cluster', ...figures }));
    expect(figures.acknowledged).toBeGreaterThan(figures.conversations);
    expect(figures.lostUpdates).toBe(0);
    expect(figures.otherFailures).toBe(0);
    // The fault was felt (some turns refused) and the load ran past it.
    expect(figures.politeFailures).toBeGreaterThan(0);
  }, 60_000);
});
