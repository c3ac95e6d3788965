/**
 * Per-user limits on what dialogs let people do in bulk (e.g. status lookups, so request
 * numbers cannot be guessed one after another). A user is the channel plus the channel's
 * user id, hashed: the key in Redis says nothing about who it is. Counts live in Redis
 * (rate-limiter-flexible's RateLimiterRedis) so every bot instance shares them; without a
 * Redis connection (unit tests) they are kept in memory. If Redis fails mid-way, an
 * in-memory limiter with the same budget takes over for that process instead of letting
 * everything through.
 */
import { createHash } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisConnection } from '../bot/storage/redisClient';

export interface UserRateLimitOptions {
  /** Actions allowed per window. */
  points: number;
  /** Window length in seconds (fixed window, starting at the first action). */
  durationSeconds: number;
}

export type RateLimitDecision =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterMs: number };

export interface UserRateLimiter {
  /** Counts one action for the user of this turn and says whether it may go ahead. */
  consume(context: TurnContext): Promise<RateLimitDecision>;
}

/** The Redis pieces of FeatureDeps a limiter needs (both optional, as there). */
export interface RateLimitStore {
  redis?: RedisConnection;
  redisPrefix?: string;
}

/** "channel + user id", hashed: stable per user, not reversible to the id. */
export function userKey(context: TurnContext): string {
  const { channelId, from } = context.activity;
  return createHash('sha256').update(`${channelId ?? ''}\n${from?.id ?? ''}`).digest('hex').slice(0, 32);
}

/**
 * A limiter named `name` (keys `${redisPrefix}rl:${name}:<user hash>`). Build it once per
 * dialog (at construction), not per turn.
 */
export function createUserRateLimiter(store: RateLimitStore, name: string, options: UserRateLimitOptions): UserRateLimiter {
  const base = { points: options.points, duration: options.durationSeconds };
  const limiter: RateLimiterAbstract = store.redis
    ? new RateLimiterRedis({
        ...base,
        storeClient: store.redis,
        keyPrefix: `${store.redisPrefix ?? ''}rl:${name}`,
        insuranceLimiter: new RateLimiterMemory({ ...base, keyPrefix: `insurance:${name}` }),
      })
    : new RateLimiterMemory({ ...base, keyPrefix: name });

  return {
    async consume(context) {
      try {
        const res = await limiter.consume(userKey(context));
        return { allowed: true, remaining: res.remainingPoints };
      } catch (err) {
        // rate-limiter-flexible rejects with the result itself when the budget is spent.
        if (err instanceof RateLimiterRes) return { allowed: false, retryAfterMs: err.msBeforeNext };
        throw err;
      }
    },
  };
}

/** Whole minutes to tell a person to wait (at least 1). */
export function minutesToWait(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 60_000));
}
