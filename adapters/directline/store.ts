/**
 * Direct Line conversations in Redis, so any bot process serves any conversation and a page
 * reload resumes it:
 *   dl:{conv}:meta   JSON { user, locale, createdAt }            (SET NX: one start only)
 *   dl:{conv}:acts   list of the newest activities (DIRECTLINE_MAX_ACTIVITIES, oldest trimmed)
 *   dl:{conv}:trimmed how many were trimmed off its front: an activity's watermark is trimmed + its index,
 *                    so watermarks and ids keep counting every activity ever posted
 *   dl:{conv}:att:N  uploaded file (hash: data, type, name); dl:{conv}:files the set of their ids
 *   dl:gone:<hash>   a conversation erased on request, for a minute (its last replies pass unstored)
 *   dl:{conv}:replied id of the last user activity the bot replied to (set with the reply: inbox.ts reads it)
 *   dl:{conv}:secret the bot's last prompt asked for a one-time code (the next user text is masked as one)
 *   dl:{conv}:dk     hash: delivery key → watermark of the bot activities that name one (stored once each;
 *                    keys of trimmed activities dropped once there are more than the list's cap)
 * All with the conversation TTL, renewed by the user's activities only: the bot's (a status
 * notification every day, say) never keep a conversation the user left. Texts are kept masked and
 * capped (privacy/mask.ts): the bot gets the user's words in clear, the list never has them. New activities are announced
 * on the pub/sub channel dl:ev:{conv}; listeners read what they miss from the list, so a
 * lost or late announcement never loses an activity.
 */
import { createHash } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { RedisConnection } from '../../bot/storage/redisClient';
import { textForStorage, type MaskOptions } from '../../bot/privacy/mask';
import { DIRECTLINE_CHANNEL_ID } from './activities';
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

// KEYS: acts, trimmed, meta, replied, delivery keys. ARGV: activity JSON, cap, ttl ms, '1' when
// the user's (renews the conversation's lifetime), the id it replies to ('' for none), the delivery
// key it names ('' for none: a repeat of a stored key returns minus the first one's watermark and
// stores nothing). Keys of activities trimmed off the list are dropped once there are more than
// the cap. Returns the new watermark. One slot: every key has {conv}.
const APPEND = `
if ARGV[6] ~= '' then
  local seen = redis.call('HGET', KEYS[5], ARGV[6])
  if seen then return -tonumber(seen) end
end
local len = redis.call('RPUSH', KEYS[1], ARGV[1])
local cap = tonumber(ARGV[2])
local trimmed = tonumber(redis.call('GET', KEYS[2]) or '0')
if len > cap then
  redis.call('LTRIM', KEYS[1], len - cap, -1)
  trimmed = redis.call('INCRBY', KEYS[2], len - cap)
  len = cap
end
local ttl = tonumber(ARGV[3])
if ARGV[4] == '1' then
  redis.call('PEXPIRE', KEYS[3], ttl)
else
  local left = redis.call('PTTL', KEYS[3])
  if left > 0 then ttl = left end
end
redis.call('PEXPIRE', KEYS[1], ttl)
if trimmed > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
if ARGV[5] ~= '' then redis.call('SET', KEYS[4], ARGV[5], 'PX', ttl) end
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[5], ARGV[6], trimmed + len)
  redis.call('PEXPIRE', KEYS[5], ttl)
  if redis.call('HLEN', KEYS[5]) > cap then
    local all = redis.call('HGETALL', KEYS[5])
    for i = 1, #all, 2 do
      if tonumber(all[i + 1]) <= trimmed then redis.call('HDEL', KEYS[5], all[i]) end
    end
  end
end
return trimmed + len`;

// KEYS: acts, trimmed. ARGV: watermark, max. Returns {first watermark read, total, rows…}.
const SINCE = `
local trimmed = tonumber(redis.call('GET', KEYS[2]) or '0')
local from = math.max(tonumber(ARGV[1]) - trimmed, 0)
local rows = redis.call('LRANGE', KEYS[1], from, from + tonumber(ARGV[2]) - 1)
local total = trimmed + redis.call('LLEN', KEYS[1])
return {trimmed + from, total, unpack(rows)}`;

type WithScripts = RedisConnection & {
  dlAppend(acts: string, trimmed: string, meta: string, replied: string, delivery: string, json: string, cap: string, ttlMs: string, renew: string, repliedTo: string, deliveryKey: string): Promise<number>;
  dlSince(acts: string, trimmed: string, watermark: string, max: string): Promise<[number, number, ...string[]]>;
};

export class DirectLineStore {
  private readonly redis: WithScripts;

  constructor(
    redis: RedisConnection,
    private readonly prefix: string,
    private readonly ttlMs: number,
    /** Texts longer than this are kept as a marker with their length (MAX_TEXT_CHARS). */
    private readonly maxTextChars = 2000,
    /** Activities kept per conversation, oldest trimmed (DIRECTLINE_MAX_ACTIVITIES). */
    private readonly maxActivities = 200,
  ) {
    if (!('dlAppend' in redis)) {
      redis.defineCommand('dlAppend', { numberOfKeys: 5, lua: APPEND });
      redis.defineCommand('dlSince', { numberOfKeys: 2, lua: SINCE });
    }
    this.redis = redis as WithScripts;
  }

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

  /** Whether the conversation exists (its meta; one EXISTS, for the sockets' heartbeat). */
  async exists(conv: string): Promise<boolean> {
    return (await this.redis.exists(this.key(conv, 'meta'))) === 1;
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
    return this.store(conv, activity, options.mask ?? {}, options.repliedTo, undefined);
  }

  /**
   * Appends an activity that names its delivery (channelData.deliveryKey): the same key is stored
   * once; a repeat returns the first one's id and announces nothing. A reminder another process
   * may send again after its sender died, or a bot reply the Connector client sends again after a
   * refusal (index.ts gives every bot activity of a Direct Line turn a key).
   */
  async appendOnce(conv: string, activity: Partial<Activity>, deliveryKey: string, options: { repliedTo?: string } = {}): Promise<{ id: string; watermark: number }> {
    return this.store(conv, activity, {}, options.repliedTo, deliveryKey);
  }

  private async store(conv: string, activity: Partial<Activity>, mask: MaskOptions, repliedTo: string | undefined, deliveryKey: string | undefined): Promise<{ id: string; watermark: number }> {
    // The id comes from the list; the channel and conversation are the same for every entry:
    // added back on reading (about 130 bytes an entry not kept).
    const { id: _ignored, channelId: _channel, conversation: _conversation, ...rest } = activity;
    if (typeof rest.text === 'string') rest.text = textForStorage(rest.text, this.maxTextChars, mask);
    if (typeof rest.speak === 'string') rest.speak = textForStorage(rest.speak, this.maxTextChars, mask);
    // One script: the list's place (hence the id), the trim, the lifetimes and the delivery key agree.
    // The history the user sees must survive a failover: on enough replicas first (REDIS_MIN_REPLICAS_ACK).
    const acts = this.key(conv, 'acts');
    const n = Number(
      await acknowledged(this.redis, acts, () => this.redis.dlAppend(
        acts,
        this.key(conv, 'trimmed'),
        this.key(conv, 'meta'),
        this.key(conv, 'replied'),
        this.key(conv, 'dk'),
        JSON.stringify(rest),
        String(this.maxActivities),
        String(this.ttlMs),
        activity.from?.role === 'user' ? '1' : '0',
        repliedTo ?? '',
        deliveryKey ?? '',
      )),
    );
    const watermark = Math.abs(n);
    if (n > 0) await this.publish(conv, { watermark });
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

  /** How many activities the conversation keeps now (at most DIRECTLINE_MAX_ACTIVITIES). */
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

  /**
   * Activities from the watermark on (at most max), and the watermark after them. A watermark
   * older than what is kept starts at the oldest kept; one past the end is brought back to it.
   */
  async since(conv: string, watermark: number, max = 100): Promise<{ activities: Partial<Activity>[]; watermark: number }> {
    const [first, total, ...rows] = await this.redis.dlSince(this.key(conv, 'acts'), this.key(conv, 'trimmed'), String(watermark), String(max));
    const activities = rows.map((row, i) => ({
      channelId: DIRECTLINE_CHANNEL_ID,
      conversation: { id: conv, isGroup: false, conversationType: 'personal', name: '' },
      ...(JSON.parse(row) as Partial<Activity>),
      id: activityId(conv, Number(first) + i),
    }));
    if (rows.length > 0) return { activities, watermark: Number(first) + rows.length };
    return { activities, watermark: Math.min(watermark, Number(total)) };
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
    const keys = ['meta', 'acts', 'trimmed', 'secret', 'files', 'sockets', 'replied', 'dk', ...fileIds.map((f) => `att:${f}`)].map((p) => this.key(conv, p));
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
