/**
 * What the WhatsApp channel keeps in Redis (all under the app's prefix, all with TTLs):
 *   wa:seen:<wamid>   inbound de-duplication (deliveries are at-least-once)
 *   wa:user:<hash>    hash: last = time of the user's last message (24-hour window), lang
 *   wa:menu:<hash>    the values of the last numbered menu, so "2" / "٢" can answer it
 * <hash> is the HMAC of the phone number (PII_HASH_SECRET): no phone number in a key name.
 *   wa:out:<key>      hash: part index → wamid of outbound parts already sent
 * Keys are single-key operations only, so Redis Cluster needs no hash tags.
 */
import type { RedisConnection } from '../../bot/storage/redisClient';
import type { Lang } from './text';

const USER_TTL_SECONDS = 30 * 24 * 3600;
const MENU_TTL_SECONDS = 24 * 3600;

export class WhatsAppStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    /** HMAC of a phone number; identity only in tests that do not care. */
    private readonly pseudonymize: (waId: string) => string = (v) => v,
  ) {}

  private key(...parts: string[]): string {
    return `${this.prefix}wa:${parts.join(':')}`;
  }

  private userKey(kind: 'user' | 'menu', waId: string): string {
    return this.key(kind, this.pseudonymize(waId));
  }

  /** Deletion on request: the user's window, language and menu. */
  async erase(waId: string): Promise<void> {
    await this.redis.del(this.userKey('user', waId));
    await this.redis.del(this.userKey('menu', waId));
  }

  /** True the first time a message id is seen within the TTL. */
  async firstSeen(wamid: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(this.key('seen', wamid), '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  async forget(wamid: string): Promise<void> {
    await this.redis.del(this.key('seen', wamid));
  }

  async recordInbound(waId: string, at: number): Promise<void> {
    const key = this.userKey('user', waId);
    await this.redis.hset(key, 'last', String(at));
    await this.redis.expire(key, USER_TTL_SECONDS);
  }

  async lastInbound(waId: string): Promise<number | undefined> {
    const v = await this.redis.hget(this.userKey('user', waId), 'last');
    return v ? Number(v) : undefined;
  }

  async setLang(waId: string, lang: Lang): Promise<void> {
    const key = this.userKey('user', waId);
    await this.redis.hset(key, 'lang', lang);
    await this.redis.expire(key, USER_TTL_SECONDS);
  }

  async lang(waId: string): Promise<Lang | undefined> {
    const v = await this.redis.hget(this.userKey('user', waId), 'lang');
    return v === 'ar' || v === 'en' ? v : undefined;
  }

  async setMenu(waId: string, values: string[]): Promise<void> {
    await this.redis.set(this.userKey('menu', waId), JSON.stringify(values), 'EX', MENU_TTL_SECONDS);
  }

  async menu(waId: string): Promise<string[] | undefined> {
    const v = await this.redis.get(this.userKey('menu', waId));
    if (!v) return undefined;
    const parsed = JSON.parse(v) as unknown;
    return Array.isArray(parsed) ? parsed.map(String) : undefined;
  }

  async clearMenu(waId: string): Promise<void> {
    await this.redis.del(this.userKey('menu', waId));
  }

  async sentParts(outKey: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.key('out', outKey));
  }

  async markPartSent(outKey: string, part: string, wamid: string, ttlSeconds: number): Promise<void> {
    const key = this.key('out', outKey);
    await this.redis.hset(key, part, wamid || 'sent');
    await this.redis.expire(key, ttlSeconds);
  }
}
