/**
 * What the WhatsApp channel keeps in Redis (all under the app's prefix, all with TTLs):
 *   wa:seen:<msg>     inbound de-duplication (deliveries are at-least-once); <msg> is the HMAC
 *                     of the message id, as a wamid is base64 of a record holding the number
 *   wa:addr:<user>    the phone number, the only place it is kept: replies resolve <user> to it
 *   wa:user:<user>    hash: last = time of the user's last message (24-hour window), lang
 *   wa:menu:<user>    the values of the last numbered menu, so "2" / "٢" can answer it
 *   wa:out:<key>      hash: part index → "1" for outbound parts already sent
 *   wa:late:<user>    the reply (hashed inbound activity id) a template was last sent for:
 *                     one template per late reply, however many messages the reply has
 * <user> is the HMAC of the phone number (PII_HASH_SECRET), which is also the conversation and
 * user id the bot sees: no phone number in a key name anywhere.
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
  ) {}

  private key(...parts: string[]): string {
    return `${this.prefix}wa:${parts.join(':')}`;
  }

  private userKey(kind: 'user' | 'menu' | 'addr' | 'late', user: string): string {
    return this.key(kind, user);
  }

  /** Deletion on request: the phone number, the window, language and menu. */
  async erase(user: string): Promise<void> {
    await this.redis.del(this.userKey('addr', user));
    await this.redis.del(this.userKey('user', user));
    await this.redis.del(this.userKey('menu', user));
    await this.redis.del(this.userKey('late', user));
  }

  /** Keeps the number a pseudonym stands for (renewed by every inbound message). */
  async rememberAddress(user: string, waId: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.userKey('addr', user), waId, 'EX', ttlSeconds);
  }

  /** The number behind a pseudonym, or undefined once it expired or was erased. */
  async address(user: string): Promise<string | undefined> {
    return (await this.redis.get(this.userKey('addr', user))) ?? undefined;
  }

  /** True the first time a message (by its hashed id) is seen within the TTL. */
  async firstSeen(messageKey: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(this.key('seen', messageKey), '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  async forget(messageKey: string): Promise<void> {
    await this.redis.del(this.key('seen', messageKey));
  }

  /**
   * The time of the user's latest message (Meta's timestamp: the 24-hour window runs from it).
   * Never moves back: an older message delivered late does not shorten the window.
   */
  async recordInbound(user: string, at: number): Promise<void> {
    const key = this.userKey('user', user);
    const current = await this.lastInbound(user);
    if (current === undefined || at > current) await this.redis.hset(key, 'last', String(at));
    await this.redis.expire(key, USER_TTL_SECONDS);
  }

  async lastInbound(user: string): Promise<number | undefined> {
    const v = await this.redis.hget(this.userKey('user', user), 'last');
    return v ? Number(v) : undefined;
  }

  async setLang(user: string, lang: Lang): Promise<void> {
    const key = this.userKey('user', user);
    await this.redis.hset(key, 'lang', lang);
    await this.redis.expire(key, USER_TTL_SECONDS);
  }

  async lang(user: string): Promise<Lang | undefined> {
    const v = await this.redis.hget(this.userKey('user', user), 'lang');
    return v === 'ar' || v === 'en' ? v : undefined;
  }

  async setMenu(user: string, values: string[]): Promise<void> {
    await this.redis.set(this.userKey('menu', user), JSON.stringify(values), 'EX', MENU_TTL_SECONDS);
  }

  async menu(user: string): Promise<string[] | undefined> {
    const v = await this.redis.get(this.userKey('menu', user));
    if (!v) return undefined;
    const parsed = JSON.parse(v) as unknown;
    return Array.isArray(parsed) ? parsed.map(String) : undefined;
  }

  async clearMenu(user: string): Promise<void> {
    await this.redis.del(this.userKey('menu', user));
  }

  /**
   * True for the first late message of a reply (by the id of the message it answers), false
   * for the reply's later messages: a template says "there is news, write back", once.
   */
  async firstTemplateFor(user: string, replyTo: string): Promise<boolean> {
    const key = this.userKey('late', user);
    const previous = await this.redis.getset(key, replyTo);
    await this.redis.expire(key, MENU_TTL_SECONDS);
    return previous !== replyTo;
  }

  async sentParts(outKey: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.key('out', outKey));
  }

  async markPartSent(outKey: string, part: string, ttlSeconds: number): Promise<void> {
    const key = this.key('out', outKey);
    // Only that it was sent: an outbound wamid encodes the recipient's number.
    await this.redis.hset(key, part, '1');
    await this.redis.expire(key, ttlSeconds);
  }
}
