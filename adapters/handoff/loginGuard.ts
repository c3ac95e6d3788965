/**
 * Limits on agent sign-in, checked before any password is hashed (in Redis, so every process counts):
 *   - per client address, across usernames (spraying many usernames is throttled);
 *   - per address and username: failures lock only the address that made them, so nobody can
 *     lock a known agent out — the agent signs in from their own address while another is refused.
 * A success gives the address its point back and clears its failures on that username.
 */
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisConnection } from '../../bot/storage/redisClient';

export interface LoginLimits {
  /** Sign-in attempts per address in the window, any username (AGENT_LOGIN_ADDRESS_ATTEMPTS). */
  perAddress: number;
  /** Failed attempts per address and username in the window (AGENT_LOGIN_ATTEMPTS). */
  perAddressAndUser: number;
  windowSeconds: number;
}

export interface LoginRefusal {
  retryAfterSeconds: number;
}

export class LoginGuard {
  private readonly byAddress: RateLimiterRedis;
  private readonly byAddressAndUser: RateLimiterRedis;

  constructor(redis: RedisConnection, prefix: string, limits: LoginLimits) {
    this.byAddress = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}ho:{hub}:login:addr`, points: limits.perAddress, duration: limits.windowSeconds });
    this.byAddressAndUser = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}ho:{hub}:login`, points: limits.perAddressAndUser, duration: limits.windowSeconds });
  }

  /** Counts the attempt; a refusal when this address is over either limit. Redis failures throw. */
  async admit(address: string, username: string): Promise<LoginRefusal | undefined> {
    try {
      await this.byAddress.consume(address);
      await this.byAddressAndUser.consume(`${address}|${username}`);
      return undefined;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      return { retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
    }
  }

  async succeeded(address: string, username: string): Promise<void> {
    await Promise.all([this.byAddress.reward(address, 1), this.byAddressAndUser.delete(`${address}|${username}`)]).catch(() => undefined);
  }
}
