/**
 * The one place that decides whether a write "counts": Redis replicates asynchronously, so a
 * write the master answered OK can vanish when a replica is promoted (Sentinel failover) or a
 * master dies. With REDIS_MIN_REPLICAS_ACK = n > 0, a write that matters (a turn's state save,
 * the transcript, the Direct Line inbox and activity list) is followed by `WAIT n timeout` on
 * the same connection and only counts when n replicas hold it; otherwise it throws
 * WriteNotDurableError, which the turn's error handler turns into the polite "temporarily
 * unavailable" reply (isUnavailableError), so nothing the user was told is silently lost.
 *
 * Fencing: a turn runs holding its conversation's lock (turnLock.ts), and saves of that
 * conversation's state check inside the save script that the lock is still this turn's. A turn
 * whose lease lapsed (a Redis stall, a failover that lost the lock key, another process took
 * over) cannot overwrite state written after it: the save fails as "unavailable" instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Cluster } from 'ioredis';
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

const policies = new WeakMap<RedisConnection, ConnectionState>();

/**
 * Sets the acknowledgement policy of a connection (once, at start-up). Cluster: WAIT would go to
 * a random node, so the config refuses REDIS_MIN_REPLICAS_ACK there (min-replicas-to-write on
 * the masters is the guard).
 */
export function configureReplicaAck(redis: RedisConnection, policy: ReplicaAckPolicy): void {
  if (policy.minReplicas <= 0 || redis instanceof Cluster) {
    policies.delete(redis);
    return;
  }
  const state: ConnectionState = { ...policy, closes: 0 };
  if (!policies.has(redis)) redis.on('close', () => (policies.get(redis) ?? state).closes++);
  policies.set(redis, state);
}

export function replicaAckOf(redis: RedisConnection): ReplicaAckPolicy | undefined {
  return policies.get(redis);
}

/**
 * Resolves with the write's result once enough replicas have it. `send` issues the write on
 * `redis`; WAIT is sent after its reply (not pipelined behind it: a script the server no longer
 * caches is re-sent by ioredis as EVAL after the first attempt, which would put it behind the
 * WAIT), on the same connection, which the close counter proves.
 */
export async function acknowledged<T>(redis: RedisConnection, send: () => Promise<T>): Promise<T> {
  const state = policies.get(redis);
  if (!state) return send();
  const closes = state.closes;
  const result = await send();
  const ack = await groupWait(redis as Exclude<RedisConnection, Cluster>, state);
  const acked = ack.acked;
  if (ack.closes !== closes) throw new WriteNotDurableError('Redis connection changed between a write and its WAIT: the write may not survive a failover');
  if (acked < state.minReplicas) {
    throw new WriteNotDurableError(`write held by ${acked} of the ${state.minReplicas} Redis replica(s) required within ${state.timeoutMs} ms (REDIS_MIN_REPLICAS_ACK)`);
  }
  return result;
}

/**
 * WAIT blocks the connection it is sent on (every command behind it waits), so writes share
 * WAITs: a write answered while one is on the wire joins the next one, sent when that one
 * returns, which covers every write answered before it. Under load one WAIT serves many turns,
 * and while replicas are away the connection is blocked for one timeout per round, not per write.
 */
function groupWait(redis: Exclude<RedisConnection, Cluster>, state: ConnectionState): Promise<Ack> {
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
