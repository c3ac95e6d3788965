/**
 * A short, masked transcript per conversation in Redis, for the agent who takes over and
 * for audits. Personal numbers are masked and long texts capped before they are written; one-time codes are not
 * written at all (see markSensitiveInput).
 */
import type { Activity, Middleware, TurnContext } from 'botbuilder';
import type { RedisConnection } from './storage/redisClient';
import { hashTagOf } from './storage/redisStorage';
import { acknowledged } from './storage/durableWrites';
import { textForStorage } from './privacy/mask';
import { conversationKeyOf, deferUntilRelease } from './middleware/turnLock';
import { isErased, isSensitiveInput } from '../dialogs/turnState';

export interface TranscriptEntry {
  role: 'user' | 'bot' | 'agent';
  text: string;
  at: string;
  attachments?: string[];
}

// Append, trim and refresh the lifetime as one command (a MULTI costs five).
const APPEND_SCRIPT = `
redis.call('RPUSH', KEYS[1], unpack(ARGV, 3))
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

type WithAppend = RedisConnection & {
  musaedTranscriptAppend(key: string, max: string, ttlMs: string, ...entries: string[]): Promise<number>;
};

export class TranscriptStore {
  private readonly redis: WithAppend;

  constructor(
    redis: RedisConnection,
    private readonly options: { prefix: string; ttlMs: number; maxEntries?: number; maxTextChars?: number },
  ) {
    if (!('musaedTranscriptAppend' in redis)) redis.defineCommand('musaedTranscriptAppend', { numberOfKeys: 1, lua: APPEND_SCRIPT });
    this.redis = redis as WithAppend;
  }

  key(conversationKey: string): string {
    return `${this.options.prefix}tx:{${hashTagOf(conversationKey)}}`;
  }

  async append(conversationKey: string, entries: TranscriptEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const max = this.options.maxEntries ?? 200;
    // Masked, and a text over the cap (refused by the bot anyway) is kept as a marker with its length.
    const rows = entries.map((e) => JSON.stringify({ ...e, text: textForStorage(e.text, this.options.maxTextChars ?? 2000) }));
    const key = this.key(conversationKey);
    await acknowledged(this.redis, key, () => this.redis.musaedTranscriptAppend(key, String(max), String(this.options.ttlMs), ...rows));
  }

  async delete(conversationKey: string): Promise<void> {
    await this.redis.del(this.key(conversationKey));
  }

  async read(conversationKey: string): Promise<TranscriptEntry[]> {
    const rows = await this.redis.lrange(this.key(conversationKey), 0, -1);
    return rows.map((r) => JSON.parse(r) as TranscriptEntry);
  }
}

function entryOf(activity: Partial<Activity>, role: TranscriptEntry['role'], hidden: boolean): TranscriptEntry | undefined {
  if (activity.type !== 'message') return undefined;
  const names = (activity.attachments ?? []).map((a) => a.name ?? a.contentType ?? 'attachment');
  if (!activity.text && names.length === 0) return undefined;
  return {
    role,
    text: hidden ? '[hidden]' : (activity.text ?? ''),
    at: new Date().toISOString(),
    ...(names.length ? { attachments: names } : {}),
  };
}

/** Records the user's message and the bot's replies of every turn; never fails the turn. */
export function transcriptMiddleware(store: TranscriptStore, onError: (err: unknown) => void): Middleware {
  return {
    async onTurn(context: TurnContext, next) {
      const outgoing: TranscriptEntry[] = [];
      context.onSendActivities(async (_ctx, activities, nextSend) => {
        for (const a of activities) {
          const e = entryOf(a, a.from?.role === 'agent' ? 'agent' : 'bot', false);
          if (e) outgoing.push(e);
        }
        return nextSend();
      });
      try {
        await next();
      } finally {
        // A turn that erased the user's data writes nothing of it back.
        if (isErased(context)) return;
        const inbound = entryOf(context.activity, 'user', isSensitiveInput(context));
        const write = store.append(conversationKeyOf(context), inbound ? [inbound, ...outgoing] : outgoing).catch(onError);
        // Inside the conversation lock, the lock waits for it together with its release.
        if (!deferUntilRelease(context, write)) await write;
      }
    },
  };
}
