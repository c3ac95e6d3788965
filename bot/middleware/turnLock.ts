/**
 * Serialises the turns of one conversation, across processes. botbuilder's BotState saves
 * with eTag "*", so two turns of a conversation running at once would overwrite each other;
 * here a turn runs only while it holds a Redis lock (SET NX PX with a random token, renewed
 * while the turn runs, released by compare-and-delete), and turns that arrive at the same
 * process queue in memory first so they do not all poll Redis.
 *
 * After a Redis fault:
 * - the turn's saves are fenced by its lock (durableWrites.ts), so a turn whose lease lapsed
 *   cannot overwrite a newer one;
 * - a lock this process left behind (its release failed while Redis was away) is taken over at
 *   once by this process's next turn of that conversation instead of blocking it for a lease;
 *   a dead process's locks lapse within TURN_LOCK_TTL_MS (5 s);
 * - a turn that cannot start within TURN_LOCK_WAIT_MS of its arrival (queue included) is
 *   refused (TurnLockTimeoutError → "temporarily unavailable, please resend") rather than
 *   applied after the channel has given up on it.
 */
import { randomUUID } from 'node:crypto';
import type { Middleware, TurnContext } from 'botbuilder';
import type { RedisConnection } from '../storage/redisClient';
import { hashTagOf } from '../storage/redisStorage';
import { withFence } from '../storage/durableWrites';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
// Takes the lock when it is free or when it is a leftover of this process (its value starts with ARGV[2]).
const TAKE = `
local cur = redis.call('GET', KEYS[1])
if cur and string.sub(cur, 1, #ARGV[2]) ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
if cur then return 2 end
return 1`;

export class TurnLockTimeoutError extends Error {
  constructor() {
    super('Timed out waiting for the conversation lock');
    this.name = 'TurnLockTimeoutError';
  }
}

export interface TurnLockOptions {
  prefix?: string;
  ttlMs?: number;
  waitMs?: number;
}

type WithLockScripts = RedisConnection & {
  musaedLockRelease(key: string, token: string): Promise<number>;
  musaedLockRenew(key: string, token: string, ttlMs: string): Promise<number>;
  musaedLockTake(key: string, token: string, processTag: string, ttlMs: string): Promise<number>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ConversationLock {
  private readonly redis: WithLockScripts;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly local = new Map<string, Promise<void>>();
  /** Lock keys a turn of this process holds now: never taken over as leftovers. */
  private readonly held = new Set<string>();
  /** Every lock token of this lock (one per app) starts with it, so it knows its own leftovers. */
  private readonly tag = `${randomUUID()}:`;
  /** Leftover locks of this process taken over (a sign of a past Redis fault). */
  takeovers = 0;

  constructor(redis: RedisConnection, options: TurnLockOptions = {}) {
    this.prefix = options.prefix ?? 'musaed:';
    this.ttlMs = options.ttlMs ?? 5_000;
    this.waitMs = options.waitMs ?? 10_000;
    if (!('musaedLockRelease' in redis)) {
      redis.defineCommand('musaedLockRelease', { numberOfKeys: 1, lua: RELEASE });
      redis.defineCommand('musaedLockRenew', { numberOfKeys: 1, lua: RENEW });
    }
    if (!('musaedLockTake' in redis)) redis.defineCommand('musaedLockTake', { numberOfKeys: 1, lua: TAKE });
    this.redis = redis as WithLockScripts;
  }

  lockKey(conversationKey: string): string {
    return `${this.prefix}lock:{${hashTagOf(conversationKey)}}`;
  }

  /**
   * Runs fn while holding the lock of conversationKey ("<channel>/conversations/<id>").
   * `pending` hands over writes fn started but did not wait for: the release is sent right
   * behind them on the same connection, so Redis applies them first, and both are awaited.
   */
  async run<T>(conversationKey: string, fn: () => Promise<T>, pending?: () => Array<Promise<unknown>>): Promise<T> {
    // The bound counts from arrival: time queued behind this process's own turns counts too.
    const deadline = Date.now() + this.waitMs;
    const previous = this.local.get(conversationKey) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((r) => (done = r));
    // The next turn waits for the previous one too, so giving up here never lets two run at once.
    const tail = Promise.all([previous, mine]).then(() => undefined);
    this.local.set(conversationKey, tail);
    try {
      await this.beforeDeadline(previous, deadline);
      return await this.withRedisLock(this.lockKey(conversationKey), fn, deadline, pending);
    } finally {
      done();
      if (this.local.get(conversationKey) === tail) this.local.delete(conversationKey);
    }
  }

  private async beforeDeadline(wait: Promise<unknown>, deadline: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TurnLockTimeoutError()), Math.max(0, deadline - Date.now()));
    });
    try {
      await Promise.race([wait, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async acquire(key: string, token: string, first: boolean): Promise<boolean> {
    if ((await this.redis.set(key, token, 'PX', this.ttlMs, 'NX')) === 'OK') return true;
    // Taken: on the first try, see whether it is a leftover of this lock. The in-process queue lets
    // one turn per conversation here at a time, so a value with this lock's tag that no turn here
    // holds is one whose release failed (Redis away): take it over rather than wait out its lease.
    if (!first || this.held.has(key)) return false;
    const taken = await this.redis.musaedLockTake(key, token, this.tag, String(this.ttlMs));
    if (taken === 2) this.takeovers++;
    return taken !== 0;
  }

  private async withRedisLock<T>(key: string, fn: () => Promise<T>, deadline: number, pending?: () => Array<Promise<unknown>>): Promise<T> {
    const token = `${this.tag}${randomUUID()}`;
    let delay = 5;
    let first = true;
    while (!(await this.acquire(key, token, first))) {
      first = false;
      if (Date.now() > deadline) throw new TurnLockTimeoutError();
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 100);
    }
    this.held.add(key);
    const renew = setInterval(() => {
      this.redis.musaedLockRenew(key, token, String(this.ttlMs)).catch(() => undefined);
    }, Math.max(500, Math.floor(this.ttlMs / 3)));
    renew.unref();
    try {
      return await withFence({ key, token }, fn);
    } finally {
      clearInterval(renew);
      const writes = pending?.() ?? [];
      await Promise.allSettled([...writes, this.redis.musaedLockRelease(key, token)]);
      this.held.delete(key);
    }
  }
}

/** The storage key botbuilder's ConversationState uses, which the lock shares a slot with. */
export function conversationKeyOf(context: TurnContext): string {
  const a = context.activity;
  return `${a.channelId}/conversations/${a.conversation?.id ?? ''}`;
}

const TURN_WRITES = Symbol('musaed.turnWrites');

/**
 * For middleware inside the lock: a write that must land before the lock is released but
 * that the turn need not wait for on its own (the transcript). The lock sends its release
 * behind it and waits for both, one round trip instead of two. Returns false when no lock
 * collects writes on this turn; the caller then awaits the write itself.
 */
export function deferUntilRelease(context: TurnContext, write: Promise<unknown>): boolean {
  const writes = context.turnState.get(TURN_WRITES) as Array<Promise<unknown>> | undefined;
  if (!writes) return false;
  writes.push(write);
  return true;
}

export function turnLockMiddleware(lock: ConversationLock): Middleware {
  return {
    onTurn: (context, next) => {
      const writes: Array<Promise<unknown>> = [];
      context.turnState.set(TURN_WRITES, writes);
      return lock.run(conversationKeyOf(context), next, () => writes.splice(0));
    },
  };
}
