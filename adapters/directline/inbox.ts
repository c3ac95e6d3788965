/**
 * Durable acceptance: what Direct Line answered 200 to is in Redis before the 200 goes out,
 * and any process can take it to the bot. Per conversation, in the conversation's slot:
 *   dl:{conv}:inbox        list of "seq<TAB>json" entries, oldest first (the activity and the origin it was addressed to)
 *   dl:{conv}:inbox:seq    the entries' counter
 *   dl:{conv}:inbox:claim  which process drains the inbox now (a lease, renewed while it drains)
 *   dl:{conv}:inbox:done   seq of the last entry whose turn completed (written inside the turn lock)
 *   dl:{conv}:replied      id of the last inbound activity the bot replied to (store.ts writes it with the reply)
 * and one index of conversations with entries, dl:inbox:pending (sorted set, score = time of
 * the last entry), which every process sweeps to pick up inboxes whose drainer died.
 *
 * Order: one drainer per conversation (the claim), entries one by one, an entry removed only
 * after its turn. At most once per entry on top of that: a turn for an entry at or below
 * `done`, or one the bot already replied to (killed between its reply and `done`), is skipped.
 */
import { randomUUID } from 'node:crypto';
import type { Activity, Middleware, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { RedisConnection } from '../../bot/storage/redisClient';
import { deferUntilRelease } from '../../bot/middleware/turnLock';
import { isUnavailableError } from '../../bot/adapter';
import { acknowledged } from '../../bot/storage/durableWrites';
import { DIRECTLINE_CHANNEL_ID } from './activities';
import { HttpProblem } from '../../bot/http/body';

const PUSH = `
local seq = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('RPUSH', KEYS[1], seq .. '\t' .. ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return seq`;
// Removes the head only when it is still the entry just processed (a second drainer may have taken it).
const ACK = `
local head = redis.call('LINDEX', KEYS[1], 0)
if head and string.sub(head, 1, #ARGV[1] + 1) == ARGV[1] .. '\t' then redis.call('LPOP', KEYS[1]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
// Records a turn as done, unless the conversation was erased meanwhile (deletion on request leaves no key of it).
const DONE = `if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end return 0`;
// Drops a conversation from the index only if no entry was indexed since the sweep read its score.
const UNINDEX = `if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('ZREM', KEYS[1], ARGV[1]) else return 0 end`;

type WithInboxScripts = RedisConnection & {
  musaedInboxPush(inbox: string, seq: string, entry: string, ttlMs: string): Promise<number>;
  musaedInboxAck(inbox: string, seq: string): Promise<number>;
  musaedInboxRelease(claim: string, token: string): Promise<number>;
  musaedInboxRenew(claim: string, token: string, ttlMs: string): Promise<number>;
  musaedInboxUnindex(index: string, conv: string, score: string): Promise<number>;
  musaedInboxDone(done: string, meta: string, seq: string, ttlMs: string): Promise<number>;
};

export interface InboxOptions {
  redis: RedisConnection;
  prefix: string;
  /** Lifetime of the conversation's keys. */
  ttlMs: number;
  /** Lease of a drainer's claim, renewed every third of it: how soon a dead drainer's inbox is taken over. */
  leaseMs: number;
  /** How often this process looks for inboxes nobody drains. */
  sweepMs: number;
  /** Entries a conversation may have waiting; more are refused with 429. */
  max: number;
  /** Where this process's bot replies go (the loopback connector or PUBLIC_URL), without the path. */
  origin: () => string;
  /** Whether this process can run turns yet (it knows its own address). */
  ready: () => boolean;
  /** Runs the bot's turn for one activity. */
  run: (activity: Partial<Activity>) => Promise<void>;
  logger: Logger;
  onError: () => void;
}

interface Entry {
  activity: Partial<Activity>;
  /** The origin the activity's serviceUrl and attachment links were made for. */
  origin: string;
}

const CONNECTOR_PATH = '/connector/directline/';

export class ConversationInbox {
  private readonly redis: WithInboxScripts;
  private readonly index: string;
  /** Conversations this process drains now; a kick while one runs is picked up by its loop. */
  private readonly draining = new Map<string, Promise<void>>();
  /** The entry this process is running a turn for, per conversation (read by the middleware). */
  private readonly running = new Map<string, { id: string; seq: number }>();
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping = false;
  private closing = false;

  constructor(private readonly o: InboxOptions) {
    const redis = o.redis;
    if (!('musaedInboxPush' in redis)) {
      redis.defineCommand('musaedInboxPush', { numberOfKeys: 2, lua: PUSH });
      redis.defineCommand('musaedInboxAck', { numberOfKeys: 1, lua: ACK });
      redis.defineCommand('musaedInboxRelease', { numberOfKeys: 1, lua: RELEASE });
      redis.defineCommand('musaedInboxRenew', { numberOfKeys: 1, lua: RENEW });
      redis.defineCommand('musaedInboxUnindex', { numberOfKeys: 1, lua: UNINDEX });
      redis.defineCommand('musaedInboxDone', { numberOfKeys: 2, lua: DONE });
    }
    this.redis = redis as WithInboxScripts;
    this.index = `${o.prefix}dl:inbox:pending`;
  }

  private key(conv: string, part: string): string {
    return `${this.o.prefix}dl:{${conv}}:${part}`;
  }

  /** Refuses a new message while the conversation already has `max` waiting (429). */
  async admit(conv: string): Promise<void> {
    if ((await this.redis.llen(this.key(conv, 'inbox'))) >= this.o.max) {
      throw new HttpProblem(429, 'too_many_requests', 'too many messages are waiting for an answer in this conversation; try again shortly');
    }
  }

  /** Stores the activity for the bot (durable once this resolves) and starts a drain. */
  async accept(conv: string, activity: Partial<Activity>): Promise<void> {
    const entry: Entry = { activity, origin: this.o.origin() };
    // On enough replicas before the 200 (REDIS_MIN_REPLICAS_ACK): a failover cannot take back what was accepted.
    const inbox = this.key(conv, 'inbox');
    await acknowledged(this.redis, inbox, () => this.redis.musaedInboxPush(inbox, this.key(conv, 'inbox:seq'), JSON.stringify(entry), String(this.o.ttlMs)));
    await this.redis.zadd(this.index, Date.now(), conv);
    this.kick(conv);
  }

  /** Drains the conversation's inbox here unless this process already does. */
  kick(conv: string): void {
    if (this.closing || this.draining.has(conv)) return;
    const drain = this.drain(conv)
      .catch((err: unknown) => {
        this.o.onError();
        this.o.logger.error({ err, conversation: conv }, 'Direct Line inbox: drain stopped (another pass will resume it)');
      })
      .finally(() => this.draining.delete(conv));
    this.draining.set(conv, drain);
  }

  /** Resolves when every drain this process started (and what they picked up meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.draining.size > 0) await Promise.allSettled([...this.draining.values()]);
  }

  /** Starts the periodic search for inboxes whose drainer died. */
  start(): void {
    this.sweeper = setInterval(() => void this.sweep(), this.o.sweepMs);
    this.sweeper.unref();
  }

  /** Stops taking new work; drains stop after their current turn and hand their claim back. */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  /**
   * Inside the turn lock: skips a turn whose entry is already done or answered, and records
   * `done` for it, sent just before the lock's release.
   */
  middleware(): Middleware {
    return {
      onTurn: async (context, next) => {
        const mine = this.entryOf(context);
        if (!mine) return next();
        const [done, replied] = await this.redis.mget(this.key(mine.conv, 'inbox:done'), this.key(mine.conv, 'replied'));
        if (Number(done ?? 0) >= mine.seq || replied === context.activity.id) {
          this.o.logger.info({ conversation: mine.conv, seq: mine.seq }, 'Direct Line inbox: entry already answered, not run again');
          return;
        }
        await next();
        const doneKey = this.key(mine.conv, 'inbox:done');
        const write = acknowledged(this.redis, doneKey, () =>
          this.redis.musaedInboxDone(doneKey, this.key(mine.conv, 'meta'), String(mine.seq), String(this.o.ttlMs)),
        );
        if (!deferUntilRelease(context, write)) await write;
      },
    };
  }

  private entryOf(context: TurnContext): { conv: string; seq: number } | undefined {
    const a = context.activity;
    if (a.channelId !== DIRECTLINE_CHANNEL_ID) return undefined;
    const conv = a.conversation?.id ?? '';
    const running = this.running.get(conv);
    return running && running.id === a.id ? { conv, seq: running.seq } : undefined;
  }

  private async claim(claimKey: string, token: string): Promise<boolean> {
    return (await this.redis.set(claimKey, token, 'PX', this.o.leaseMs, 'NX')) === 'OK';
  }

  private async drain(conv: string): Promise<void> {
    const inbox = this.key(conv, 'inbox');
    const claimKey = this.key(conv, 'inbox:claim');
    const token = randomUUID();
    if (!(await this.claim(claimKey, token))) return; // a live drainer has it
    let held = true;
    let lost = false;
    const renew = setInterval(() => {
      this.redis.musaedInboxRenew(claimKey, token, String(this.o.leaseMs)).then(
        (ok) => (lost = ok === 0),
        () => undefined,
      );
    }, Math.max(200, Math.floor(this.o.leaseMs / 3)));
    renew.unref();
    try {
      while (!this.closing && !lost) {
        const head = await this.redis.lindex(inbox, 0);
        if (head === null) {
          // Hand the claim back, then look once more: an entry pushed while we held it found the claim taken.
          held = false;
          await this.redis.musaedInboxRelease(claimKey, token);
          if ((await this.redis.llen(inbox)) === 0 || !(await this.claim(claimKey, token))) return;
          held = true;
          continue;
        }
        await this.process(conv, inbox, head);
      }
    } finally {
      clearInterval(renew);
      if (held) await this.redis.musaedInboxRelease(claimKey, token).catch(() => undefined);
    }
  }

  private async process(conv: string, inbox: string, head: string): Promise<void> {
    const tab = head.indexOf('\t');
    const seq = head.slice(0, tab);
    let entry: Entry;
    try {
      entry = JSON.parse(head.slice(tab + 1)) as Entry;
    } catch {
      this.o.logger.error({ conversation: conv, seq }, 'Direct Line inbox: unreadable entry dropped');
      await this.redis.musaedInboxAck(inbox, seq);
      return;
    }
    const activity = rebase(entry, this.o.origin());
    this.running.set(conv, { id: activity.id ?? '', seq: Number(seq) });
    try {
      await this.o.run(activity);
    } catch (err) {
      // Redis away: keep the entry for a later pass. Anything else would fail again: drop it, logged.
      if (isUnavailableError(err)) throw err;
      this.o.onError();
      this.o.logger.error({ err, conversation: conv, type: activity.type }, 'Direct Line activity not processed');
    } finally {
      this.running.delete(conv);
    }
    await this.redis.musaedInboxAck(inbox, seq);
  }

  /** Deletion on request: the conversation's inbox keys, and its place in the index of pending conversations. */
  async forget(conv: string): Promise<void> {
    await this.redis.zrem(this.index, conv);
    await this.redis.del(this.key(conv, 'inbox'), this.key(conv, 'inbox:seq'), this.key(conv, 'inbox:done'));
  }

  /** Drains inboxes indexed a while ago that nobody drains (their drainer died); forgets empty ones. */
  private async sweep(): Promise<void> {
    if (this.sweeping || this.closing || !this.o.ready()) return;
    this.sweeping = true;
    try {
      const rows = await this.redis.zrangebyscore(this.index, '-inf', Date.now() - this.o.sweepMs, 'WITHSCORES', 'LIMIT', 0, 200);
      const checks: Array<Promise<unknown>> = [];
      for (let i = 0; i + 1 < rows.length; i += 2) {
        const conv = rows[i]!;
        const score = rows[i + 1]!;
        if (this.draining.has(conv)) continue;
        checks.push(
          this.redis.llen(this.key(conv, 'inbox')).then(async (n) => {
            if (n === 0) await this.redis.musaedInboxUnindex(this.index, conv, score);
            else this.kick(conv);
          }),
        );
      }
      await Promise.all(checks);
    } catch (err) {
      this.o.logger.warn({ err }, 'Direct Line inbox: sweep failed');
    } finally {
      this.sweeping = false;
    }
  }
}

/** The activity addressed to this process: the accepting process may be gone. */
function rebase(entry: Entry, origin: string): Partial<Activity> {
  const a = entry.activity;
  if (entry.origin === origin) return a;
  const move = (url: string | undefined) => (url?.startsWith(entry.origin) ? origin + url.slice(entry.origin.length) : url);
  return {
    ...a,
    serviceUrl: `${origin}${CONNECTOR_PATH}`,
    ...(a.attachments ? { attachments: a.attachments.map((x) => ({ ...x, contentUrl: move(x.contentUrl) })) } : {}),
  };
}
