/**
 * Direct Line conversations in Redis, so any bot process serves any conversation and a page
 * reload resumes it:
 *   dl:{conv}:meta   JSON { user, locale, createdAt }            (SET NX: one start only)
 *   dl:{conv}:acts   list of activities; the watermark is the list length
 *   dl:{conv}:att:N  uploaded file (hash: data, type, name); dl:{conv}:files the set of their ids
 *   dl:gone:<hash>   a conversation erased on request, for a minute (its last replies pass unstored)
 *   dl:{conv}:replied id of the last user activity the bot replied to (set with the reply: inbox.ts reads it)
 *   dl:{conv}:secret the bot's last prompt asked for a one-time code (the next user text is masked as one)
 * All with the conversation TTL, renewed on every new activity. Texts are kept masked and
 * capped (privacy/mask.ts): the bot gets the user's words in clear, the list never has them. New activities are announced
 * on the pub/sub channel dl:ev:{conv}; listeners read what they miss from the list, so a
 * lost or late announcement never loses an activity.
 */
import { createHash } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { RedisConnection } from '../../bot/storage/redisClient';
import { textForStorage, type MaskOptions } from '../../bot/privacy/mask';
import { acknowledged } from '../../bot/storage/durableWrites';

export interface ConversationMeta {
  user: string;
  locale?: string;
  createdAt: string;
}

/** What goes out on the conversation's channel: a new watermark, or a passing (unstored) activity such as typing. */
export type StreamEvent = { watermark: number } | { ephemeral: Partial<Activity> };

export interface StoredFile {
  data: Buffer;
  contentType: string;
  name: string;
}

/** "conv|0000012": the same shape as Azure's ids, and it carries the activity's watermark. */
export function activityId(conv: string, index: number): string {
  return `${conv}|${String(index).padStart(7, '0')}`;
}

export class DirectLineStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    private readonly ttlMs: number,
    /** Texts longer than this are kept as a marker with their length (MAX_TEXT_CHARS). */
    private readonly maxTextChars = 2000,
  ) {}

  private key(conv: string, part: string): string {
    return `${this.prefix}dl:{${conv}}:${part}`;
  }

  channel(conv: string): string {
    return `${this.prefix}dl:ev:{${conv}}`;
  }

  /** Creates the conversation; false when it already existed (a second start is not a new conversation). */
  async create(conv: string, meta: ConversationMeta): Promise<boolean> {
    const ok = await this.redis.set(this.key(conv, 'meta'), JSON.stringify(meta), 'PX', this.ttlMs, 'NX');
    return ok === 'OK';
  }

  async meta(conv: string): Promise<ConversationMeta | undefined> {
    const raw = await this.redis.get(this.key(conv, 'meta'));
    if (!raw) return undefined;
    return JSON.parse(raw) as ConversationMeta;
  }

  /**
   * Appends one activity and announces it. Its id and watermark come from its place in the
   * list, which only Redis knows atomically, so the stored JSON has no id; reads add it.
   * A bot reply names what it answers (repliedTo): recorded in the same transaction, so a
   * turn cut off after its reply is known to have answered.
   */
  async append(conv: string, activity: Partial<Activity>, options: { mask?: MaskOptions; repliedTo?: string } = {}): Promise<{ id: string; watermark: number }> {
    const { mask = {}, repliedTo } = options;
    const { id: _ignored, ...rest } = activity;
    if (typeof rest.text === 'string') rest.text = textForStorage(rest.text, this.maxTextChars, mask);
    if (typeof rest.speak === 'string') rest.speak = textForStorage(rest.speak, this.maxTextChars, mask);
    const acts = this.key(conv, 'acts');
    const tx = this.redis
      .multi()
      .rpush(acts, JSON.stringify(rest))
      .pexpire(acts, this.ttlMs)
      .pexpire(this.key(conv, 'meta'), this.ttlMs);
    if (repliedTo) tx.set(this.key(conv, 'replied'), repliedTo, 'PX', this.ttlMs);
    // The history the user sees must survive a failover: on enough replicas first (REDIS_MIN_REPLICAS_ACK).
    const results = await acknowledged(this.redis, () => tx.exec());
    const [err, length] = results?.[0] ?? [new Error('append failed'), 0];
    if (err) throw err;
    const watermark = Number(length);
    await this.publish(conv, { watermark });
    return { id: activityId(conv, watermark - 1), watermark };
  }

  /** Remembers whether the bot's last prompt asks for a secret (see SECRET_ANSWER_MARK). */
  async setExpectingSecret(conv: string, expecting: boolean): Promise<void> {
    const key = this.key(conv, 'secret');
    if (expecting) await this.redis.set(key, '1', 'PX', this.ttlMs);
    else await this.redis.del(key);
  }

  async expectingSecret(conv: string): Promise<boolean> {
    return (await this.redis.exists(this.key(conv, 'secret'))) === 1;
  }

  /** How many activities the conversation keeps (the quota's cap counts them). */
  async count(conv: string): Promise<number> {
    return this.redis.llen(this.key(conv, 'acts'));
  }

  /** The key of the conversation's open-socket set (quotas.ts counts sockets across processes in it). */
  socketsKey(conv: string): string {
    return this.key(conv, 'sockets');
  }

  async publish(conv: string, event: StreamEvent): Promise<void> {
    await this.redis.publish(this.channel(conv), JSON.stringify(event));
  }

  /** Activities from the watermark on (at most max), and the watermark after them. */
  async since(conv: string, watermark: number, max = 100): Promise<{ activities: Partial<Activity>[]; watermark: number }> {
    const rows = await this.redis.lrange(this.key(conv, 'acts'), watermark, watermark + max - 1);
    const activities = rows.map((row, i) => ({ ...(JSON.parse(row) as Partial<Activity>), id: activityId(conv, watermark + i) }));
    if (rows.length > 0) return { activities, watermark: watermark + rows.length };
    // Nothing new: answer with the real end of the list (a watermark past it is brought back).
    const length = await this.redis.llen(this.key(conv, 'acts'));
    return { activities, watermark: Math.min(watermark, length) };
  }

  async saveFile(conv: string, fileId: string, file: StoredFile): Promise<void> {
    const key = this.key(conv, `att:${fileId}`);
    const files = this.key(conv, 'files');
    await this.redis
      .multi()
      .hset(key, { data: file.data, type: file.contentType, name: file.name })
      .pexpire(key, this.ttlMs)
      .sadd(files, fileId)
      .pexpire(files, this.ttlMs)
      .exec();
  }

  private goneKey(conv: string): string {
    return `${this.prefix}dl:gone:${createHash('sha256').update(conv).digest('base64url')}`;
  }

  /** Deletion on request: every key of the conversation; a short-lived tombstone (no id in it) lets the last replies through unstored. */
  async erase(conv: string): Promise<void> {
    const fileIds = await this.redis.smembers(this.key(conv, 'files'));
    const keys = ['meta', 'acts', 'secret', 'files', 'sockets', 'replied', ...fileIds.map((f) => `att:${f}`)].map((p) => this.key(conv, p));
    await this.redis.set(this.goneKey(conv), '1', 'PX', 60_000);
    await this.redis.del(...keys);
  }

  async erased(conv: string): Promise<boolean> {
    return (await this.redis.exists(this.goneKey(conv))) === 1;
  }

  async file(conv: string, fileId: string): Promise<StoredFile | undefined> {
    const key = this.key(conv, `att:${fileId}`);
    const [data, type, name] = await this.redis.hmgetBuffer(key, 'data', 'type', 'name');
    if (!data || !type) return undefined;
    return { data, contentType: type.toString('utf8'), name: name?.toString('utf8') ?? 'file' };
  }
}
