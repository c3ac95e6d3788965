/**
 * Serialises the turns of one conversation, across processes. botbuilder's BotState saves
 * with eTag "*", so two turns of a conversation running at once would overwrite each other;
 * here a turn runs only while it holds a Redis lock (SET NX PX with a random token, renewed
 * while the turn runs, released by compare-and-delete), and turns that arrive at the same
 * process queue in memory first so they do not all poll Redis.
 */
import { randomUUID } from 'node:crypto';
import type { Middleware, TurnContext } from 'botbuilder';
import type { RedisConnection } from '../storage/redisClient';
import { hashTagOf } from '../storage/redisStorage';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

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
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ConversationLock {
  private readonly redis: WithLockScripts;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly local = new Map<string, Promise<void>>();

  constructor(redis: RedisConnection, options: TurnLockOptions = {}) {
    this.prefix = options.prefix ?? 'musaed:';
    this.ttlMs = options.ttlMs ?? 5_000;
    this.waitMs = options.waitMs ?? 60_000;
    if (!('musaedLockRelease' in redis)) {
      redis.defineCommand('musaedLockRelease', { numberOfKeys: 1, lua: RELEASE });
      redis.defineCommand('musaedLockRenew', { numberOfKeys: 1, lua: RENEW });
    }
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
    const previous = this.local.get(conversationKey) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((r) => (done = r));
    const tail = previous.then(() => mine);
    this.local.set(conversationKey, tail);
    try {
      await previous;
      return await this.withRedisLock(this.lockKey(conversationKey), fn, pending);
    } finally {
      done();
      if (this.local.get(conversationKey) === tail) this.local.delete(conversationKey);
    }
  }

  private async withRedisLock<T>(key: string, fn: () => Promise<T>, pending?: () => Array<Promise<unknown>>): Promise<T> {
    const token = randomUUID();
    const deadline = Date.now() + this.waitMs;
    let delay = 5;
    while ((await this.redis.set(key, token, 'PX', this.ttlMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new TurnLockTimeoutError();
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 100);
    }
    const renew = setInterval(() => {
      this.redis.musaedLockRenew(key, token, String(this.ttlMs)).catch(() => undefined);
    }, Math.max(500, Math.floor(this.ttlMs / 3)));
    renew.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      const writes = pending?.() ?? [];
      await Promise.allSettled([...writes, this.redis.musaedLockRelease(key, token)]);
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
