/**
 * Load through a Redis fault, and what it cost: several conversations each send "count" one
 * after another (alternating between two apps, each with its own Redis client, as two
 * processes would), a failover or a killed master happens in the middle (a Sentinel set, or
 * the Cluster master holding the first conversation's state), and every
 * reply is classified: acknowledged ("count=N", nothing else), polite failure (the localised
 * "temporarily unavailable") or anything else. An acknowledged N at or below one acknowledged
 * before, or a final state below the highest acknowledged N, is a lost acknowledged update.
 * Used by test/core/redisFailover.test.ts and bench/failover.ts.
 */
import { Command, Redis } from 'ioredis';
import { createRedis, type RedisConnection, type RedisSettings } from '../../bot/storage/redisClient';
import { RedisStorage } from '../../bot/storage/redisStorage';
import { createTranslator } from '../../bot/i18n';
import type { App } from '../../bot/app';
import { startApp } from './app';
import { createLogger } from '../../bot/logger';
import { say, texts } from './http';
import { ruleRecognizer } from './ruleRecognizer';
import { injectSentinelFault, stopRedis, type RedisClusterHandle, type SentinelFault, type SentinelSet } from './redisServer';
import { CountingDialog } from '../fixtures/countingDialog';

export type Fault = SentinelFault;
/** before: the old client (no failover detection) and no replica acknowledgement; after: the product's settings. */
export type Mode = 'before' | 'after';

export interface FailoverFigures {
  fault: Fault;
  mode: Mode;
  conversations: number;
  turns: number;
  acknowledged: number;
  politeFailures: number;
  otherFailures: number;
  /** Acknowledged turns whose state is not there afterwards. */
  lostUpdates: number;
  conversationsWithLoss: number;
  /** From the fault to the end of the last failed turn (0: none failed). */
  recoveryMs: number;
  /** Longest time one conversation went without an acknowledged turn, across the fault. */
  maxStallMs: number;
  otherExamples: string[];
  /** Errors behind the turns that got the generic apology (the error handler's log). */
  otherErrors: string[];
  /** When (ms after the fault) the sentinels named the new master, and the master had a replica online again. */
  switchedMs: number;
  replicaOnlineMs: number;
}

/** Where the load runs and how the fault is made. */
export interface FailoverTarget {
  /** The apps' Redis settings, and the same as environment (REDIS_URL or REDIS_CLUSTER_NODES). */
  settings: RedisSettings;
  env: Record<string, string>;
  /** Makes the fault on the master holding `key`; resolves once another master serves it. */
  fault(fault: Fault, key: string): Promise<void>;
  /** Then brings a killed node back (empty, as a supervisor would) and resolves once the master holding `key` has `replicas` replicas online. */
  recover(fault: Fault, key: string, replicas: number): Promise<void>;
}

export function sentinelTarget(set: SentinelSet): FailoverTarget {
  return {
    settings: { url: set.url },
    env: { REDIS_URL: set.url },
    async fault(fault) {
      // A killed master is brought back empty once replaced; the sentinels make it a replica.
      await injectSentinelFault(set, fault);
    },
    async recover(_fault, _key, replicas) {
      await set.replicasOnline(replicas);
    },
  };
}

/**
 * Cluster: the fault hits the master of `key`'s slot. failover: CLUSTER FAILOVER FORCE on one of
 * its replicas (no handshake with the master, which keeps taking writes until it learns it was
 * replaced); kill: SIGKILL, then the node restarts with its nodes.conf and rejoins as a replica.
 */
export function clusterTarget(cluster: RedisClusterHandle): FailoverTarget {
  let victim = 0;
  const slotOf = (key: string) => new Command('get', [key]).getSlot();
  return {
    settings: { clusterNodes: cluster.nodesEnv },
    env: { REDIS_CLUSTER_NODES: cluster.nodesEnv },
    async fault(fault, key) {
      const master = await cluster.masterOf(slotOf(key));
      victim = master.port;
      if (fault === 'failover') {
        const replica = (await cluster.replicasOf(victim))[0];
        if (!replica) throw new Error(`the master on ${victim} has no live replica`);
        const r = new Redis({ port: replica.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
        try {
          await r.call('CLUSTER', 'FAILOVER', 'FORCE');
        } finally {
          r.disconnect();
        }
      } else {
        await stopRedis(master.proc);
      }
      await cluster.switched(slotOf(key), victim);
    },
    async recover(fault, key, replicas) {
      if (fault === 'kill') await cluster.restart(victim);
      await cluster.replicasOnline(slotOf(key), replicas);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const UNAVAILABLE = createTranslator().t('ar', 'errors.unavailable');

export async function runFailoverLoad(options: {
  target: FailoverTarget;
  fault: Fault;
  mode: Mode;
  prefix: string;
  conversations?: number;
  warmupMs?: number;
  /** Keep the load on this long after the last failure (and at least until the fault is over). */
  settleMs?: number;
  maxAfterFaultMs?: number;
  /** REDIS_MIN_REPLICAS_ACK in "after" mode (default 1). */
  minReplicasAck?: number;
}): Promise<FailoverFigures> {
  const { target, fault, mode, prefix } = options;
  const conversations = options.conversations ?? 20;
  const env = {
    ...target.env,
    REDIS_KEY_PREFIX: prefix,
    REDIS_MIN_REPLICAS_ACK: mode === 'after' ? String(options.minReplicasAck ?? 1) : '0',
    REDIS_WAIT_TIMEOUT_MS: '500',
  };
  const tuning = mode === 'before' ? { failoverDetector: false, reconnectOnError: null } : {};
  const clients: RedisConnection[] = [createRedis(target.settings, tuning), createRedis(target.settings, tuning)];
  const apps: Array<App & { baseUrl: string }> = [];
  // The error handler's "turn failed" lines that were not "unavailable": what made a turn fail impolitely.
  const otherErrors: string[] = [];
  const logger = createLogger({
    level: 'error',
    destination: {
      write: (line: string) => {
        const entry = JSON.parse(line) as { msg?: string; unavailable?: boolean; err?: { message?: string; stack?: string } };
        if (entry.msg === 'turn failed' && entry.unavailable === false && otherErrors.length < 5) otherErrors.push((entry.err?.stack ?? entry.err?.message ?? '').slice(0, 400));
      },
    },
  });
  for (const redis of clients) {
    redis.on('error', () => undefined);
    apps.push(await startApp(env, { logger, redis, recognizer: ruleRecognizer(), features: [(deps) => new CountingDialog(deps)] }));
  }
  const figures: FailoverFigures = {
    fault, mode, conversations, turns: 0, acknowledged: 0, politeFailures: 0, otherFailures: 0,
    lostUpdates: 0, conversationsWithLoss: 0, recoveryMs: 0, maxStallMs: 0, otherExamples: [], otherErrors: [], switchedMs: 0, replicaOnlineMs: 0,
  };
  const ids = Array.from({ length: conversations }, (_, i) => `${prefix.replace(/\W/g, '')}-${fault}-${i}`);
  const high = new Map<string, number>(ids.map((id) => [id, 0]));
  const lossIn = new Set<string>();
  let faultAt = 0;
  let lastFailureEnd = 0;
  let stop = false;
  try {
    await Promise.all(ids.map((id, i) => say(apps[i % 2]!.baseUrl, id, 'السلام عليكم')));
    const user = async (id: string, i: number) => {
      let lastAck = Date.now();
      let turn = i;
      while (!stop) {
        turn++;
        let text = '';
        try {
          text = texts(await say(apps[turn % 2]!.baseUrl, id, 'count')).join('\n');
        } catch (err) {
          text = `HTTP error: ${(err as Error).message}`;
        }
        const end = Date.now();
        figures.turns++;
        const m = /count=(\d+)/.exec(text);
        if (m && !text.includes(UNAVAILABLE)) {
          figures.acknowledged++;
          const n = Number(m[1]);
          const before = high.get(id)!;
          if (n <= before) {
            figures.lostUpdates += before - n + 1;
            lossIn.add(id);
          }
          high.set(id, n);
          if (faultAt) figures.maxStallMs = Math.max(figures.maxStallMs, end - lastAck);
          lastAck = end;
        } else {
          if (text.includes(UNAVAILABLE)) figures.politeFailures++;
          else {
            figures.otherFailures++;
            if (figures.otherExamples.length < 3) figures.otherExamples.push(text.slice(0, 200));
          }
          if (faultAt) lastFailureEnd = Math.max(lastFailureEnd, end);
        }
        await sleep(10);
      }
    };
    const load = Promise.all(ids.map((id, i) => user(id, i)));
    await sleep(options.warmupMs ?? 2000);
    // The first conversation's state: its master is the one the fault hits (Cluster).
    const storage = apps[0]!.storage;
    const firstState = `emulator/conversations/${ids[0]}/`;
    const faultKey = storage instanceof RedisStorage ? storage.redisKey(firstState) : firstState;
    faultAt = Date.now();
    await target.fault(fault, faultKey);
    figures.switchedMs = Date.now() - faultAt;
    await target.recover(fault, faultKey, options.minReplicasAck ?? 1);
    figures.replicaOnlineMs = Date.now() - faultAt;
    // The load goes on until no turn has failed for settleMs (or the cap).
    const settle = options.settleMs ?? 2000;
    const cap = faultAt + (options.maxAfterFaultMs ?? 25_000);
    while (Date.now() < cap && Date.now() - Math.max(lastFailureEnd, faultAt) < settle) await sleep(100);
    stop = true;
    await load;
    figures.recoveryMs = lastFailureEnd ? lastFailureEnd - faultAt : 0;
    // What the state holds now, read from the current master.
    for (const id of ids) {
      const key = `emulator/conversations/${id}/`;
      const item = (await apps[0]!.storage.read([key]))[key] as { data?: { count?: number } } | undefined;
      const final = item?.data?.count ?? 0;
      const h = high.get(id)!;
      if (final < h) {
        figures.lostUpdates += h - final;
        lossIn.add(id);
      }
    }
    figures.conversationsWithLoss = lossIn.size;
    figures.otherErrors = otherErrors;
    return figures;
  } finally {
    stop = true;
    for (const app of apps) await app.close();
    for (const c of clients) c.disconnect();
  }
}
