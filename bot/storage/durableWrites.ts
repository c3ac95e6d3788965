/**
 * The one place that decides whether a write "counts": Redis replicates asynchronously, so a
 * write the master answered OK can vanish when a replica is promoted (Sentinel failover) or a
 * master dies. With REDIS_MIN_REPLICAS_ACK = n > 0, a write that matters (a turn's state save,
 * the transcript, the Direct Line inbox and activity list) is followed by `WAIT n timeout` on
 * the same connection (on a Cluster, on the connection to the master of the written key's
 * slot) and only counts when n replicas hold it; otherwise it throws
 * WriteNotDurableError, which the turn's error handler turns into the polite "temporarily
 * unavailable" reply (isUnavailableError), so nothing the user was told is silently lost.
 *
 * Fencing: a turn runs holding its conversation's lock (turnLock.ts), and saves of that
 * conversation's state check inside the save script that the lock is still this turn's. A turn
 * whose lease lapsed (a Redis stall, a failover that lost the lock key, another process took
 * over) cannot overwrite state written after it: the save fails as "unavailable" instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Cluster, Command, type Redis } from 'ioredis';
import type { RedisConnection } from './redisClient';

export interface ReplicaAckPolicy {
  /** Replicas that must hold a write before it counts (0: the master's OK is enough). */
  minReplicas: number;
  /** How long WAIT may block for them (ms). */
  timeoutMs: number;
}

/** A write that Redis may not keep across a failover, or that lost its turn's lease: retried by the user, never half-applied silently. */
export class WriteNotDurableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteNotDurableError';
  }
}

interface ConnectionState extends ReplicaAckPolicy {
  /** Counts the connection's closes: a WAIT answered on a newer connection than the write's proves nothing. */
  closes: number;
  /** The WAIT on the wire now, and the one that follows it, shared by every write answered meanwhile. */
  inFlight?: Promise<Ack>;
  queued?: Promise<Ack>;
}

interface Ack {
  acked: number;
  /** The close count when the WAIT was answered. */
  closes: number;
}

/** A standalone or Sentinel client's state, or a Cluster's policy (its masters' states are in `nodeStates`). */
const policies = new WeakMap<RedisConnection, ConnectionState>();
/** Cluster: one state per master connection (ioredis' Redis instance of that node), made on its first acknowledged write. */
const nodeStates = new WeakMap<Redis, ConnectionState>();

/** Sets the acknowledgement policy of a connection (once, at start-up; a standalone, Sentinel or Cluster client). */
export function configureReplicaAck(redis: RedisConnection, policy: ReplicaAckPolicy): void {
  if (policy.minReplicas <= 0) {
    policies.delete(redis);
    return;
  }
  const state: ConnectionState = { ...policy, closes: 0 };
  if (!policies.has(redis) && !(redis instanceof Cluster)) redis.on('close', () => (policies.get(redis) ?? state).closes++);
  policies.set(redis, state);
}

export function replicaAckOf(redis: RedisConnection): ReplicaAckPolicy | undefined {
  return policies.get(redis);
}

/**
 * Resolves with the write's result once enough replicas have it. `send` issues the write on
 * `redis`; `key` is the key it writes (on a Cluster, the one whose slot says which master
 * took the write; every key of one write shares its hash tag). WAIT is sent after the write's
 * reply (not pipelined behind it: a script the server no longer caches is re-sent by ioredis
 * as EVAL after the first attempt, which would put it behind the WAIT), on the same
 * connection, which the close counter proves.
 */
export async function acknowledged<T>(redis: RedisConnection, key: string, send: () => Promise<T>): Promise<T> {
  const state = policies.get(redis);
  if (!state) return send();
  if (redis instanceof Cluster) return acknowledgedOnCluster(redis, key, state, send);
  const closes = state.closes;
  const result = await send();
  const ack = await groupWait(redis, state);
  check(ack, closes, state);
  return result;
}

function check(ack: Ack, closes: number, state: ConnectionState): void {
  if (ack.closes !== closes) throw new WriteNotDurableError('Redis connection changed between a write and its WAIT: the write may not survive a failover');
  if (ack.acked < state.minReplicas) {
    throw new WriteNotDurableError(`write held by ${ack.acked} of the ${state.minReplicas} Redis replica(s) required within ${state.timeoutMs} ms (REDIS_MIN_REPLICAS_ACK)`);
  }
}

/**
 * Cluster: a key-less WAIT sent through the Cluster client would go to a random node, so it is
 * sent to the master that owns the written key's slot, on that node's connection (the one
 * ioredis sent the write on): `Command.getSlot()` is the slot ioredis routes by, `cluster.slots`
 * its slot map (first entry: the master), `cluster.nodes('master')` its node connections, all
 * public API. The write counts only if the slot's master is the same connection before the
 * write and after its reply (a MOVED during the write, a failover that refreshed the map, a node
 * connection replaced: WriteNotDurableError, never a WAIT on another node than the one holding
 * the write), that connection did not close meanwhile, and WAIT on it reaches the policy.
 * Not covered: during a resharding, a write that ioredis follows by ASK to the importing node
 * is acknowledged by the exporting master's replicas (a resharding is planned; a failover is not);
 * and a slot map that moved away and back within one write's round trip (two failovers) is not seen.
 */
async function acknowledgedOnCluster<T>(cluster: Cluster, key: string, policy: ConnectionState, send: () => Promise<T>): Promise<T> {
  const slot = new Command('get', [key]).getSlot();
  const before = masterOf(cluster, slot);
  if (!before) throw new WriteNotDurableError(`no known Redis Cluster master for slot ${slot}: the write was not made`);
  const state = nodeState(before, policy);
  const closes = state.closes;
  const result = await send();
  if (masterOf(cluster, slot) !== before) {
    throw new WriteNotDurableError(`the master of slot ${slot} changed between a write and its WAIT: the write may not survive a failover`);
  }
  // A node demoted meanwhile answers "WAIT cannot be used with replica instances": not durable either.
  const ack = await groupWait(before, state).catch((err: unknown) => {
    throw new WriteNotDurableError(`WAIT on ${before.options.host}:${before.options.port} failed: ${err instanceof Error ? err.message : String(err)}`);
  });
  check(ack, closes, state);
  return result;
}

/** The connection ioredis sends a write for `slot` to now (the slot's master in its map), if any. */
function masterOf(cluster: Cluster, slot: number): Redis | undefined {
  const owner = cluster.slots[slot]?.[0];
  if (!owner) return undefined;
  return cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
}

function nodeState(node: Redis, policy: ReplicaAckPolicy): ConnectionState {
  let state = nodeStates.get(node);
  if (!state) {
    const created: ConnectionState = { minReplicas: policy.minReplicas, timeoutMs: policy.timeoutMs, closes: 0 };
    node.on('close', () => created.closes++);
    nodeStates.set(node, created);
    state = created;
  }
  state.minReplicas = policy.minReplicas;
  state.timeoutMs = policy.timeoutMs;
  return state;
}

/**
 * WAIT blocks the connection it is sent on (every command behind it waits), so writes share
 * WAITs: a write answered while one is on the wire joins the next one, sent when that one
 * returns, which covers every write answered before it. Under load one WAIT serves many turns,
 * and while replicas are away the connection is blocked for one timeout per round, not per write.
 */
function groupWait(redis: Redis, state: ConnectionState): Promise<Ack> {
  const send = (): Promise<Ack> => {
    const wait = redis.wait(state.minReplicas, state.timeoutMs).then((n) => ({ acked: Number(n), closes: state.closes }));
    state.inFlight = wait;
    const clear = () => {
      if (state.inFlight === wait) state.inFlight = undefined;
    };
    wait.then(clear, clear);
    return wait;
  };
  if (!state.inFlight) return send();
  if (!state.queued) {
    const after = () => {
      state.queued = undefined;
      return send();
    };
    state.queued = state.inFlight.then(after, after);
  }
  return state.queued;
}

// ---- fencing: the lock a turn holds, visible to the storage it saves through ----

export interface Fence {
  /** The lock's Redis key; it shares the conversation's hash tag. */
  key: string;
  token: string;
}

const fences = new AsyncLocalStorage<Fence>();

/** Runs fn (a turn) as the holder of `fence`: saves of the lock's conversation check it. */
export function withFence<T>(fence: Fence, fn: () => Promise<T>): Promise<T> {
  return fences.run(fence, fn);
}

/** The fence of the running turn when `redisKey` belongs to its conversation (same {hash tag}). */
export function fenceFor(redisKey: string): Fence | undefined {
  const fence = fences.getStore();
  if (!fence) return undefined;
  return hashTagIn(fence.key) === hashTagIn(redisKey) ? fence : undefined;
}

function hashTagIn(key: string): string | undefined {
  const m = /\{([^}]*)\}/.exec(key);
  return m ? m[1] : undefined;
}

/** The save script's refusal when the lock is not the turn's any more. */
export const LEASE_LOST = 'LEASE_LOST';
