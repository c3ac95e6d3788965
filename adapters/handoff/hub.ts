/**
 * The agent hub: queue, claims, relay and ratings, all in Redis so that a user on one bot
 * process and an agent on another talk to each other, and a restart loses nothing.
 *
 * Cluster placement: what concerns one conversation lives in that conversation's own slot
 * (the hash tag of its state keys), so the handoff record every turn reads (gate.ts) sits
 * with its state and lock, and no turn depends on a shared slot; only what agents share
 * lives under {hub}, touched on handoff actions, not on every turn:
 *   ho:{<conv>}:conv      hash  status, language, reason, context, reference, agent…
 *   ho:{<conv>}:msgs      stream the live relay (user, agent and system lines)
 *   ho:{<conv>}:deferred  list  bot messages held back while an agent holds the chat
 *   ho:{<conv>}:sealed    hash  relay line id → the user's words before masking, encrypted (audited reveal)
 *   ho:{hub}:queue        zset  conversationKey → enqueue time (order of service)
 *   ho:{hub}:active       zset  conversationKey → last activity (held conversations; idle sweep)
 *   ho:{hub}:online       zset  agentId → presence expiry
 *   ho:{hub}:ratings      stream satisfaction ratings
 *   ho:{hub}:events       pub/sub nudges for the consoles of every process
 *   audit                 stream who did what to which conversation (its HMAC pseudonym), when;
 *                         trimmed to AUDIT_RETENTION_DAYS on every write
 * A Lua script touches one slot only, so a step that moves a conversation in or out of the
 * queue is several atomic steps. The record decides (its script changes the status only from
 * the expected one: one claimer wins, or the user leaving), and the hub's sets follow, in an
 * order that leaves every step cut short (a process killed between two writes) visible in a
 * set for the sweep to finish: a queued record is always in the queue (entered before the
 * record), a held one in the queue or the active set (claimed, then added to the active set,
 * then out of the queue), one handed back in the active set until it is queued again. The
 * sweep repairs what it finds (sweepRepairs).
 * Records, relay and held-back messages live HANDOFF_RETENTION_SECONDS; erase() removes a user's.
 */
import { type Activity, type Attachment, type CardAction, type ConversationReference, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { RedisConnection } from '../../bot/storage/redisClient';
import { hashTagOf } from '../../bot/storage/redisStorage';
import { acknowledged } from '../../bot/storage/durableWrites';
import type { ProactiveMessenger } from '../../bot/adapter';
import type { TranscriptEntry, TranscriptStore } from '../../bot/transcript';
import type { Metrics } from '../../bot/metrics';
import { maskPii, textForStorage } from '../../bot/privacy/mask';
import type { Sealer } from '../../bot/privacy/seal';
import type { Translate } from '../../bot/i18n';
import type { HandoffConfig } from './config';
import { isWithinHours, parseHours } from './hours';
import { safeFileName } from '../../bot/fileName';
import type {
  AgentIdentity,
  Availability,
  HandoffHub,
  HandoffLang,
  HandoffRequest,
  HandoffStatus,
  HandoffTask,
  QueuePlacement,
} from './types';

/** How long a queue entry may wait for its record (written just after it) before the sweep drops it. */
const QUEUE_ENTRY_GRACE_MS = 60_000;

/** Marks the hub's own messages so the gate lets them through while an agent holds the chat. */
export const HANDOFF_MARK = 'musaedHandoff';

// KEYS: conv. ARGV: agentId, agentName, now. The one claimer: the first while it is queued.
const CLAIM = `
if redis.call('HGET', KEYS[1], 'status') ~= 'queued' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'held', 'agentId', ARGV[1], 'agentName', ARGV[2], 'claimedAt', ARGV[3], 'lastActivityAt', ARGV[3])
return 1`;

// KEYS: conv. ARGV: agentId ('' = the system), new status, now. Returns the enqueue time
// (back to the queue) or 1 (ended), 0 when not held, -1 when held by another agent.
const RELEASE = `
if redis.call('HGET', KEYS[1], 'status') ~= 'held' then return 0 end
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'agentId') ~= ARGV[1] then return -1 end
if ARGV[2] == 'queued' then
  redis.call('HSET', KEYS[1], 'status', 'queued', 'waitSince', ARGV[3])
  redis.call('HDEL', KEYS[1], 'agentId', 'agentName', 'claimedAt')
  return tonumber(redis.call('HGET', KEYS[1], 'enqueuedAt') or ARGV[3])
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'endedAt', ARGV[3])
return 1`;

// KEYS: conv, msgs. The user leaves if no agent claimed it first: the record goes if still queued.
const LEAVE_QUEUE = `
if redis.call('HGET', KEYS[1], 'status') ~= 'queued' then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1`;

type WithScripts = RedisConnection & {
  hoClaim(conv: string, agentId: string, agentName: string, now: string): Promise<number>;
  hoRelease(conv: string, agentId: string, status: string, now: string): Promise<number>;
  hoLeaveQueue(conv: string, msgs: string): Promise<number>;
};

export interface ConversationRecord {
  key: string;
  status: HandoffStatus;
  lang: HandoffLang;
  channel: string;
  reason: string;
  trigger: string;
  task?: HandoffTask;
  reference: Partial<ConversationReference>;
  enqueuedAt: number;
  waitSince: number;
  agentId?: string;
  agentName?: string;
  claimedAt?: number;
  lastActivityAt?: number;
  score?: number;
}

export interface RelayMessage {
  id: string;
  role: 'user' | 'agent' | 'system';
  text: string;
  name?: string;
  /** The text was masked and the agent holding the chat may reveal it (audited). */
  revealable?: boolean;
  attachments?: Array<{ name?: string; contentType?: string; contentUrl?: string; /** A link the user sent that is not one of our stored files: shown as text. */ url?: string }>;
  at: string;
}

export interface QueueItem {
  id: string;
  key: string;
  channel: string;
  lang: HandoffLang;
  reason: string;
  trigger: string;
  waitingSeconds: number;
  status: HandoffStatus;
  agentId?: string;
  agentName?: string;
}

export type HubEvent =
  | { type: 'queue' }
  | { type: 'message'; id: string; agentId?: string }
  | { type: 'conversation'; id: string; agentId?: string; status: string };

export class ClaimConflictError extends Error {}

/** Conversation keys travel in URLs as base64url ids. */
export const idOfKey = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
export const keyOfId = (id: string) => Buffer.from(id, 'base64url').toString('utf8');

export function keyOfReference(reference: Partial<ConversationReference>): string {
  return `${reference.channelId ?? ''}/conversations/${reference.conversation?.id ?? ''}`;
}

const CONV_TTL_SECONDS = 2 * 24 * 3600;
const STREAM_MAX = 1000;

export interface HubDeps {
  redis: RedisConnection;
  prefix: string;
  config: HandoffConfig;
  t: Translate;
  proactive: ProactiveMessenger;
  transcripts: TranscriptStore;
  logger: Logger;
  metrics?: Metrics;
  /** Relay lines longer than this are kept as a marker with their length (MAX_TEXT_CHARS). */
  maxTextChars?: number;
  /** HMAC of a conversation key: the audit and ratings never name a conversation (a phone number) in clear. */
  pseudonymize?: (value: string) => string;
  /** Lifetime of records, relay and held-back messages (HANDOFF_RETENTION_SECONDS). */
  retentionSeconds?: number;
  /** Audit entries older than this are trimmed (AUDIT_RETENTION_DAYS). */
  auditRetentionDays?: number;
  /** Encrypts the unmasked words of user lines whose text masking changed, for an audited reveal; without it nothing is kept. */
  sealer?: Sealer;
  /** True for a link into this service's own attachment stores; only those reach agents as file links. */
  isOwnAttachment?: (url: string) => boolean;
}

export class AgentHub implements HandoffHub {
  readonly mode;
  private readonly redis: WithScripts;
  private readonly hours;
  private readonly p: string;

  constructor(private readonly deps: HubDeps) {
    this.mode = deps.config.mode;
    this.hours = parseHours(deps.config.hours);
    this.p = `${deps.prefix}ho:{hub}:`;
    const r = deps.redis;
    if (!('hoClaim' in r)) {
      r.defineCommand('hoClaim', { numberOfKeys: 1, lua: CLAIM });
      r.defineCommand('hoRelease', { numberOfKeys: 1, lua: RELEASE });
      r.defineCommand('hoLeaveQueue', { numberOfKeys: 2, lua: LEAVE_QUEUE });
    }
    this.redis = r as WithScripts;
  }

  private get ttlSeconds(): number {
    return this.deps.retentionSeconds ?? CONV_TTL_SECONDS;
  }

  // ---- keys --------------------------------------------------------------------------
  get queueKey() {
    return `${this.p}queue`;
  }
  get activeKey() {
    return `${this.p}active`;
  }
  get onlineKey() {
    return `${this.p}online`;
  }
  get ratingsKey() {
    return `${this.p}ratings`;
  }
  get eventsChannel() {
    return `${this.p}events`;
  }
  get auditKey() {
    return `${this.deps.prefix}audit`;
  }
  /** Protocol handoffs not yet answered by the external contact center, by start time. */
  get protocolPendingKey() {
    return `${this.p}protocolPending`;
  }
  get sweepLockKey() {
    return `${this.p}sweeper`;
  }
  /** The conversation's own keys: in its slot (the hash tag of its state), not the hub's. */
  private own(key: string, part: string) {
    return `${this.deps.prefix}ho:{${hashTagOf(key)}}:${part}`;
  }
  convKey(key: string) {
    return this.own(key, 'conv');
  }
  deferredKey(key: string) {
    return this.own(key, 'deferred');
  }
  msgsKey(key: string) {
    return this.own(key, 'msgs');
  }
  sealedKey(key: string) {
    return this.own(key, 'sealed');
  }

  // ---- the dialog's side ---------------------------------------------------------------
  async availability(now: Date = new Date()): Promise<Availability> {
    if (this.mode === 'protocol') return { open: true };
    if (!isWithinHours(this.hours, this.deps.config.timeZone, now)) return { open: false, why: 'closed' };
    return (await this.agentsOnline(now.getTime())) > 0 ? { open: true } : { open: false, why: 'noAgents' };
  }

  async enqueue(request: HandoffRequest): Promise<QueuePlacement> {
    const key = keyOfReference(request.reference);
    const existing = await this.get(key);
    if (existing?.status === 'queued') return this.placement(key);
    if (existing?.status === 'held') return { position: 0, waitMinutes: 0 };
    const now = Date.now();
    // The user is told their place next: the record and the queue entry must survive a failover.
    // The queue entry first: a record never waits where no agent and no sweep can see it.
    await this.keptOrUndone(key, this.queueKey, async () => {
      await acknowledged(this.redis, this.queueKey, () => this.redis.zadd(this.queueKey, 'NX', now, key));
      await this.writeRecord(key, request, 'queued', now);
    });
    await this.publish({ type: 'queue' });
    await this.updateGauge();
    return this.placement(key);
  }

  async startProtocol(request: HandoffRequest): Promise<void> {
    const key = keyOfReference(request.reference);
    const now = Date.now();
    await this.keptOrUndone(key, this.protocolPendingKey, async () => {
      await this.writeRecord(key, request, 'protocol', now);
      // Watched by the sweeper: a contact center that never answers must not leave the user in silence.
      await acknowledged(this.redis, this.protocolPendingKey, () => this.redis.zadd(this.protocolPendingKey, now, key));
    });
  }

  /**
   * A handoff the user is about to be told about ("you are number N", "connecting you") is
   * acknowledged by REDIS_MIN_REPLICAS_ACK replicas (durableWrites.ts), record and hub entry
   * both; when either fails, neither is left behind (best effort): a record with no queue entry
   * would hold the user in a queue no agent sees. The error (WriteNotDurableError or the Redis
   * error) reaches the turn, whose user gets "temporarily unavailable" and can ask again.
   */
  private async keptOrUndone(key: string, hubSet: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      await Promise.all([this.redis.del(this.convKey(key)), this.redis.zrem(hubSet, key)]).catch(() => undefined);
      throw err;
    }
  }

  async transcript(reference: Partial<ConversationReference>): Promise<TranscriptEntry[]> {
    return this.deps.transcripts.read(keyOfReference(reference));
  }

  private async writeRecord(key: string, request: HandoffRequest, status: HandoffStatus, now: number): Promise<void> {
    const conv = this.convKey(key);
    await acknowledged(this.redis, conv, () => this.redis
      .multi()
      .del(conv, this.msgsKey(key))
      .hset(conv, {
        status,
        lang: request.lang,
        channel: request.reference.channelId ?? '',
        reason: maskPii(request.reason).slice(0, 500),
        trigger: request.trigger,
        // What the bot collected is shown to agents: masked like every stored text (the JSON survives: masks add no quotes).
        task: maskPii(JSON.stringify(request.task ?? {})),
        reference: JSON.stringify(request.reference),
        enqueuedAt: String(now),
        waitSince: String(now),
      })
      .expire(conv, this.ttlSeconds)
      .exec());
  }

  // ---- state -------------------------------------------------------------------------
  async get(key: string): Promise<ConversationRecord | undefined> {
    const h = await this.redis.hgetall(this.convKey(key));
    if (!h.status) return undefined;
    return {
      key,
      status: h.status as HandoffStatus,
      lang: (h.lang === 'en' ? 'en' : 'ar') as HandoffLang,
      channel: h.channel ?? '',
      reason: h.reason ?? '',
      trigger: h.trigger ?? '',
      task: h.task ? (JSON.parse(h.task) as HandoffTask) : undefined,
      reference: h.reference ? (JSON.parse(h.reference) as Partial<ConversationReference>) : {},
      enqueuedAt: Number(h.enqueuedAt ?? 0),
      waitSince: Number(h.waitSince ?? h.enqueuedAt ?? 0),
      agentId: h.agentId,
      agentName: h.agentName,
      claimedAt: h.claimedAt ? Number(h.claimedAt) : undefined,
      lastActivityAt: h.lastActivityAt ? Number(h.lastActivityAt) : undefined,
      score: h.score ? Number(h.score) : undefined,
    };
  }

  async setStatus(key: string, status: HandoffStatus, extra: Record<string, string> = {}): Promise<void> {
    await this.redis.hset(this.convKey(key), { status, ...extra });
    await this.redis.expire(this.convKey(key), this.ttlSeconds);
    if (status !== 'protocol') await this.redis.zrem(this.protocolPendingKey, key);
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.convKey(key), this.sealedKey(key));
    await this.redis.zrem(this.protocolPendingKey, key);
    await this.updateGauge();
  }

  async agentsOnline(now = Date.now()): Promise<number> {
    return this.redis.zcount(this.onlineKey, now, '+inf');
  }

  async heartbeat(agent: AgentIdentity): Promise<void> {
    const now = Date.now();
    await this.redis
      .multi()
      .zadd(this.onlineKey, now + this.deps.config.presenceSeconds * 1000, agent.id)
      .zremrangebyscore(this.onlineKey, '-inf', now)
      .exec();
  }

  async goOffline(agent: AgentIdentity): Promise<void> {
    await this.redis.zrem(this.onlineKey, agent.id);
  }

  async placement(key: string): Promise<QueuePlacement> {
    const rank = await this.redis.zrank(this.queueKey, key);
    const position = rank === null ? 0 : rank + 1;
    const agents = Math.max(1, await this.agentsOnline());
    const waitMinutes = position === 0 ? 0 : Math.max(1, Math.ceil((this.deps.config.avgHandleSeconds * position) / agents / 60));
    return { position, waitMinutes };
  }

  /** Queued conversations in order, then the ones held by agents. */
  async queue(now = Date.now()): Promise<QueueItem[]> {
    // A claim cut short can leave a key in both sets for a moment: listed once, as its record says.
    const keys = [...new Set([...(await this.redis.zrange(this.queueKey, 0, 199)), ...(await this.redis.zrange(this.activeKey, 0, 199))])];
    const records = await Promise.all(keys.map((k) => this.get(k)));
    return records
      .filter((r): r is ConversationRecord => r !== undefined)
      .map((r) => ({
        id: idOfKey(r.key),
        key: r.key,
        channel: r.channel,
        lang: r.lang,
        reason: r.reason,
        trigger: r.trigger,
        waitingSeconds: Math.max(0, Math.round((now - r.waitSince) / 1000)),
        status: r.status,
        agentId: r.agentId,
        agentName: r.agentName,
      }));
  }

  // ---- the agent's side --------------------------------------------------------------
  /** Exactly one of several agents claiming at once wins; the others get ClaimConflictError. */
  async claim(key: string, agent: AgentIdentity): Promise<ConversationRecord> {
    // The record decides (another agent, or the user leaving, lost); the sets follow.
    const now = String(Date.now());
    if ((await this.redis.hoClaim(this.convKey(key), agent.id, agent.name, now)) !== 1) throw new ClaimConflictError('not queued any more');
    await this.redis.zadd(this.activeKey, now, key);
    await this.redis.zrem(this.queueKey, key);
    await this.audit(agent, 'claim', key);
    const record = await this.get(key);
    if (!record) throw new ClaimConflictError('gone');
    await this.systemLine(key, 'claimed', agent.name);
    await this.publish({ type: 'queue' });
    await this.notifyUser(record, 'handoff:joined', { agent: agent.name });
    await this.updateGauge();
    return record;
  }

  /** Whether this agent holds the conversation now. */
  async holds(key: string, agent: AgentIdentity): Promise<ConversationRecord | undefined> {
    const record = await this.get(key);
    return record?.status === 'held' && record.agentId === agent.id ? record : undefined;
  }

  async sendFromAgent(key: string, agent: AgentIdentity, text: string, attachments: Attachment[] = []): Promise<RelayMessage> {
    const record = await this.holds(key, agent);
    if (!record) throw new ClaimConflictError('not held by this agent');
    const reference = record.reference;
    // A file without text carries just the agent's name (no "Name: " with nothing after it).
    const shown = text.trim() ? this.deps.t(record.lang, 'handoff:agentSays', { agent: agent.name, text }) : this.deps.t(record.lang, 'handoff:agentSent', { agent: agent.name });
    // A channel that could not deliver (all or part) is reported to the agent (the API answers
    // 502), not left to the turn's error handler, which would log it away and reset the dialog.
    let undelivered: unknown;
    await this.deps.proactive.continueConversation(reference, async (tc) => {
      // Straight to the adapter: TurnContext.sendActivity would replace `from` with the bot,
      // and the agent's name and role must reach the channel.
      const activity = TurnContext.applyConversationReference(
        { type: 'message', text: shown, attachments, channelData: { [HANDOFF_MARK]: 'agent' } } as Partial<Activity>,
        reference,
      );
      activity.from = { id: `agent:${agent.id}`, name: agent.name, role: 'agent' };
      await tc.adapter.sendActivities(tc, [activity]).catch((err: unknown) => (undelivered = err));
    });
    if (undelivered) throw undelivered;
    const at = new Date().toISOString();
    await this.deps.transcripts.append(key, [
      { role: 'agent', text, at, ...(attachments.length ? { attachments: attachments.map((a) => safeFileName(a.name, a.contentType ?? 'file')) } : {}) },
    ]);
    const id = await this.appendLine(key, {
      role: 'agent',
      text,
      name: agent.name,
      attachments: attachments.map((a) => ({ name: safeFileName(a.name, 'file'), contentType: a.contentType, contentUrl: a.contentUrl })),
    });
    await this.redis.zadd(this.activeKey, 'XX', Date.now(), key);
    await this.redis.hset(this.convKey(key), 'lastActivityAt', String(Date.now()));
    await this.audit(agent, 'message', key);
    return { id, role: 'agent', text, name: agent.name, at };
  }

  /**
   * The record lets go first (atomic in the conversation's slot: one of an agent's "end" and
   * the idle sweep wins), then the hub's sets follow. Returns 1 done, 0 not held, -1 another agent's.
   */
  private async releaseHeld(key: string, agentId: string, status: 'queued' | 'rating'): Promise<number> {
    const r = await this.redis.hoRelease(this.convKey(key), agentId, status, String(Date.now()));
    if (r <= 0) return r;
    // Into the queue before out of the active set: cut short, the sweep still finds it.
    if (status === 'queued') await this.redis.zadd(this.queueKey, r, key);
    await this.redis.zrem(this.activeKey, key);
    return 1;
  }

  /** Back to the queue (keeps its original place) for another agent. */
  async transfer(key: string, agent: AgentIdentity | undefined, why: 'transfer' | 'idle' = 'transfer'): Promise<boolean> {
    const r = await this.releaseHeld(key, agent?.id ?? '', 'queued');
    if (r === -1) throw new ClaimConflictError('not held by this agent');
    if (r === 0) return false;
    await this.audit(agent ?? { id: 'system', name: 'system' }, why === 'idle' ? 'idle-return' : 'transfer', key);
    await this.systemLine(key, 'requeued');
    await this.publish({ type: 'queue' });
    const record = await this.get(key);
    if (record) {
      const { position, waitMinutes } = await this.placement(key);
      await this.notifyUser(record, 'handoff:requeued', { position, minutes: this.minutes(record.lang, waitMinutes) });
      await this.flushDeferred(key, record);
    }
    return true;
  }

  /** The agent ends the chat: the bot resumes and asks for a rating. */
  async end(key: string, agent: AgentIdentity): Promise<void> {
    if ((await this.releaseHeld(key, agent.id, 'rating')) !== 1) throw new ClaimConflictError('not held by this agent');
    await this.redis.del(this.sealedKey(key));
    await this.audit(agent, 'end', key);
    await this.systemLine(key, 'ended', agent.name);
    await this.publish({ type: 'conversation', id: idOfKey(key), agentId: agent.id, status: 'rating' });
    await this.publish({ type: 'queue' });
    const record = await this.get(key);
    if (record) {
      await this.flushDeferred(key, record);
      await this.askRating(record);
    }
    await this.updateGauge();
  }

  async askRating(record: ConversationRecord): Promise<void> {
    const lang = record.lang;
    const text = this.deps.t(lang, record.agentName ? 'handoff:ended' : 'handoff:endedExternal', { agent: record.agentName ?? '' }) + '\n' + this.deps.t(lang, 'handoff:rating.ask');
    const actions = ['5', '4', '3', '2', '1'].map((n) => this.button(n)).concat(this.button(this.deps.t(lang, 'handoff:rating.skip')));
    await this.deliver(record, { type: 'message', text, suggestedActions: { to: [], actions }, channelData: { [HANDOFF_MARK]: 'system' } });
  }

  // ---- the user's side (called by the gate, inside the conversation lock) -------------------
  async relayFromUser(key: string, text: string, attachments: Attachment[] = []): Promise<void> {
    const lineId = await this.appendLine(key, {
      role: 'user',
      text,
      // A link the user typed into an attachment is shown to agents as text, never as one of our files.
      attachments: attachments.map((a) => {
        const own = !!a.contentUrl && (this.deps.isOwnAttachment?.(a.contentUrl) ?? false);
        return { name: safeFileName(a.name, 'file'), contentType: a.contentType, ...(own ? { contentUrl: a.contentUrl } : a.contentUrl ? { url: a.contentUrl.slice(0, 500) } : {}) };
      }),
    });
    await this.sealOriginal(key, lineId, text);
    const now = String(Date.now());
    await this.redis.zadd(this.activeKey, 'XX', now, key);
    await this.redis.hset(this.convKey(key), 'lastActivityAt', now);
    const record = await this.get(key);
    await this.publish({ type: 'message', id: idOfKey(key), agentId: record?.agentId });
  }

  /** The user leaves the queue; false when an agent claimed it a moment earlier. */
  async leaveQueue(key: string): Promise<boolean> {
    // The record decides: if an agent claimed it a moment earlier, the user stays with them.
    const left = (await this.redis.hoLeaveQueue(this.convKey(key), this.msgsKey(key))) === 1;
    if (left) {
      await this.redis.zrem(this.queueKey, key);
      await this.publish({ type: 'queue' });
      await this.updateGauge();
    }
    return left;
  }

  async saveRating(key: string, record: ConversationRecord, score: number, comment?: string): Promise<void> {
    await this.redis.xadd(this.ratingsKey, 'MAXLEN', '~', '100000', '*',
      'conversation', this.pseudonym(key),
      'agent', record.agentId ?? 'external',
      'score', String(score),
      'comment', comment ? maskPii(comment).slice(0, 1000) : '',
      'at', new Date().toISOString());
  }

  async ratings(): Promise<Array<Record<string, string>>> {
    const rows = await this.redis.xrange(this.ratingsKey, '-', '+');
    return rows.map(([, fields]) => pairs(fields));
  }

  // ---- relay log -----------------------------------------------------------------------
  async messages(key: string, after = '-'): Promise<RelayMessage[]> {
    const start = after === '-' ? '-' : `(${after}`;
    const [rows, sealed] = await Promise.all([
      this.redis.xrange(this.msgsKey(key), start, '+', 'COUNT', 500),
      this.redis.hkeys(this.sealedKey(key)),
    ]);
    const revealable = new Set(sealed);
    return rows.map(([id, fields]) => {
      const f = pairs(fields);
      return {
        id,
        ...(revealable.has(id) ? { revealable: true } : {}),
        role: f.role as RelayMessage['role'],
        text: f.text ?? '',
        ...(f.name ? { name: f.name } : {}),
        ...(f.attachments ? { attachments: JSON.parse(f.attachments) as RelayMessage['attachments'] } : {}),
        at: f.at ?? '',
      };
    });
  }

  private async appendLine(key: string, line: Omit<RelayMessage, 'id' | 'at'>): Promise<string> {
    // The one write point of the relay: every line (the user's and the agent's) is kept masked and capped.
    const fields = ['role', line.role, 'text', textForStorage(line.text, this.deps.maxTextChars ?? 2000), 'at', new Date().toISOString()];
    if (line.name) fields.push('name', line.name);
    if (line.attachments?.length) fields.push('attachments', JSON.stringify(line.attachments));
    const id = await this.redis.xadd(this.msgsKey(key), 'MAXLEN', '~', String(STREAM_MAX), '*', ...fields);
    await this.redis.expire(this.msgsKey(key), this.ttlSeconds);
    return id ?? '';
  }

  /**
   * The user's words on a relay line were masked for storage (an ID number, a phone number): the
   * agent serving them may need the value to help, so the unmasked line is kept encrypted beside it,
   * for as long as the relay, and deleted when the chat ends. Opened only by reveal(), which audits it.
   */
  private async sealOriginal(key: string, lineId: string, text: string): Promise<void> {
    const sealer = this.deps.sealer;
    const max = this.deps.maxTextChars ?? 2000;
    if (!sealer || !lineId || text.length > max || textForStorage(text, max) === text) return;
    await this.redis.hset(this.sealedKey(key), lineId, sealer.seal(text));
    await this.redis.expire(this.sealedKey(key), this.ttlSeconds);
  }

  /**
   * An agent asks to see a masked line in full: only the agent holding the conversation, only a
   * line that was masked, and every reveal is written to the audit stream (who, which conversation,
   * which line, when). undefined when there is nothing to reveal.
   */
  async reveal(key: string, agent: AgentIdentity, lineId: string): Promise<string | undefined> {
    if (!(await this.holds(key, agent))) throw new ClaimConflictError('not held by this agent');
    const sealed = await this.redis.hget(this.sealedKey(key), lineId);
    const text = sealed ? this.deps.sealer?.open(sealed) : undefined;
    if (text === undefined) return undefined;
    await this.audit(agent, 'reveal', key, { line: lineId });
    return text;
  }

  /** A line for the console (not sent to the user): "claimed by …", "back in the queue". */
  private async systemLine(key: string, what: string, name?: string): Promise<void> {
    await this.appendLine(key, { role: 'system', text: what, ...(name ? { name } : {}) });
    await this.publish({ type: 'message', id: idOfKey(key) });
  }

  // ---- delivery, audit, events ------------------------------------------------------------
  /** A hub message (in the user's language) through a proactive turn of the user's conversation. */
  async notifyUser(record: ConversationRecord, key: string, args: Record<string, unknown> = {}, actions: CardAction[] = []): Promise<void> {
    await this.deliver(record, {
      type: 'message',
      text: this.deps.t(record.lang, key, args),
      ...(actions.length ? { suggestedActions: { to: [], actions } } : {}),
      channelData: { [HANDOFF_MARK]: 'system' },
    });
  }

  /**
   * Bot messages that a proactive turn tried to send while an agent held the chat (a Tawasul
   * status notification, say). The gate keeps them out of the agent's conversation, and they
   * are kept here, not dropped, until the agent lets go.
   */
  async defer(key: string, activities: Array<Partial<Activity>>): Promise<void> {
    if (activities.length === 0) return;
    const list = this.deferredKey(key);
    await this.redis
      .multi()
      .rpush(list, ...activities.map((a) => JSON.stringify(keptOf(a))))
      .expire(list, this.ttlSeconds)
      .exec();
  }

  /** Takes the held-back messages (oldest first), so each is delivered once. */
  async takeDeferred(key: string): Promise<Array<Partial<Activity>>> {
    const list = this.deferredKey(key);
    const result = await this.redis.multi().lrange(list, 0, -1).del(list).exec();
    const rows = (result?.[0]?.[1] as string[] | undefined) ?? [];
    return rows.map((r) => JSON.parse(r) as Partial<Activity>);
  }

  /** Delivers the held-back messages through a proactive turn, once the agent no longer holds the chat. */
  async flushDeferred(key: string, record: ConversationRecord): Promise<void> {
    for (const activity of await this.takeDeferred(key)) await this.deliver(record, activity);
  }

  private async deliver(record: ConversationRecord, activity: Partial<Activity>): Promise<void> {
    try {
      await this.deps.proactive.continueConversation(record.reference, async (tc) => {
        await tc.sendActivity(activity);
      });
    } catch (err) {
      this.deps.logger.error({ err, channel: record.channel }, 'handoff: could not reach the user');
    }
  }

  tawasulActions(lang: HandoffLang): CardAction[] {
    return [this.button(this.deps.t(lang, 'menu.tawasul')), this.button(this.deps.t(lang, 'intent.menu'))];
  }

  button(title: string): CardAction {
    return { type: 'imBack', title, value: title };
  }

  minutes(lang: HandoffLang, count: number): string {
    return this.deps.t(lang, 'handoff:minutes', { count });
  }

  async audit(agent: AgentIdentity, action: string, key: string, extra: Record<string, string> = {}): Promise<void> {
    await this.redis
      .xadd(this.auditKey, 'MINID', '~', this.auditMinId(), '*', 'agent', agent.id, 'action', action, 'conversation', this.pseudonym(key), 'at', new Date().toISOString(), ...Object.entries(extra).flat())
      .catch((err: unknown) => this.deps.logger.error({ err }, 'audit entry not written'));
  }

  private pseudonym(key: string): string {
    return this.deps.pseudonymize ? this.deps.pseudonymize(key) : key;
  }

  /** Stream ids start with the time in ms: entries older than the retention are trimmed by id. */
  private auditMinId(): string {
    return String(Date.now() - (this.deps.auditRetentionDays ?? 180) * 24 * 3600_000);
  }

  /** Deletion on request: the record, relay, held-back messages, queue places, and the conversation's audit and rating entries. */
  async erase(key: string): Promise<void> {
    await this.redis.del(this.convKey(key), this.msgsKey(key), this.deferredKey(key), this.sealedKey(key));
    await Promise.all([this.redis.zrem(this.queueKey, key), this.redis.zrem(this.activeKey, key), this.redis.zrem(this.protocolPendingKey, key)]);
    const pseudonym = this.pseudonym(key);
    for (const stream of [this.auditKey, this.ratingsKey]) {
      // Bounded streams (retention / MAXLEN): read in pages, delete the conversation's entries.
      let start = '-';
      for (;;) {
        const rows = await this.redis.xrange(stream, start, '+', 'COUNT', 1000);
        const mine = rows.filter(([, f]) => pairs(f).conversation === pseudonym).map(([id]) => id);
        if (mine.length) await this.redis.xdel(stream, ...mine);
        if (rows.length < 1000) break;
        start = `(${rows[rows.length - 1]![0]}`;
      }
    }
    await this.updateGauge();
  }

  async publish(event: HubEvent): Promise<void> {
    await this.redis.publish(this.eventsChannel, JSON.stringify(event)).catch((err: unknown) => this.deps.logger.warn({ err }, 'handoff event not published'));
  }

  private async updateGauge(): Promise<void> {
    if (!this.deps.metrics) return;
    const [q, a] = await Promise.all([this.redis.zcard(this.queueKey), this.redis.zcard(this.activeKey)]);
    this.deps.metrics.openHandoffs.set(q + a);
  }

  // ---- timeouts ----------------------------------------------------------------------------
  /**
   * A queue entry whose record is not queued: a step cut short (see the top of this file).
   * Held: a claim stopped before leaving the queue → into the active set, out of the queue.
   * No record: an enqueue stopped before its record, or a leave before its ZREM → dropped, once
   * older than QUEUE_ENTRY_GRACE_MS (an enqueue in flight writes its record a moment later).
   * Anything else (ended, rating, protocol): out of the queue.
   */
  private async sweepRepairs(key: string, r: ConversationRecord | undefined, enteredAt: number, now: number): Promise<void> {
    if (!r && now - enteredAt < QUEUE_ENTRY_GRACE_MS) return;
    if (r?.status === 'held') await this.redis.zadd(this.activeKey, 'NX', r.claimedAt ?? now, key);
    await this.redis.zrem(this.queueKey, key);
  }

  /**
   * Unclaimed past HANDOFF_MAX_WAIT_SECONDS → leaves the queue and is offered a Tawasul request
   * (in protocol mode: not taken up by the contact center in that time → back to the bot, the same offer);
   * held and idle past HANDOFF_IDLE_SECONDS → back to the queue. Safe to run in every process:
   * each step is atomic, and a Redis lock keeps it to one process per round.
   */
  async sweep(now = Date.now()): Promise<{ timedOut: number; requeued: number }> {
    const token = String(Math.random());
    const lock = await this.redis.set(this.sweepLockKey, token, 'PX', Math.max(1000, this.deps.config.sweepMs), 'NX');
    if (lock !== 'OK') return { timedOut: 0, requeued: 0 };
    let timedOut = 0;
    let requeued = 0;
    try {
      const maxWait = this.deps.config.maxWaitSeconds * 1000;
      const entries = await this.redis.zrange(this.queueKey, 0, -1, 'WITHSCORES');
      for (let i = 0; i + 1 < entries.length; i += 2) {
        const key = entries[i]!;
        const r = await this.get(key);
        if (!r || r.status !== 'queued') {
          await this.sweepRepairs(key, r, Number(entries[i + 1]), now);
          continue;
        }
        if (now - r.waitSince < maxWait) continue;
        if (await this.leaveQueue(key)) {
          timedOut++;
          await this.notifyUser(r, 'handoff:unavailable.timeout', {}, this.tawasulActions(r.lang));
        }
      }
      // Protocol mode: the external contact center never answered handoff.initiate.
      for (const key of await this.redis.zrangebyscore(this.protocolPendingKey, '-inf', now - maxWait)) {
        const r = await this.get(key);
        if (r?.status !== 'protocol') {
          await this.redis.zrem(this.protocolPendingKey, key);
          continue;
        }
        await this.clear(key);
        timedOut++;
        this.deps.logger.warn({ channel: r.channel }, 'handoff: the contact center did not answer in time');
        await this.notifyUser(r, 'handoff:protocol.timeout', {}, this.tawasulActions(r.lang));
      }
      const idleBefore = now - this.deps.config.idleSeconds * 1000;
      for (const key of await this.redis.zrangebyscore(this.activeKey, '-inf', idleBefore)) {
        if (await this.transfer(key, undefined, 'idle')) requeued++;
        else {
          // Not held any more: a hand-back cut short before the queue (queued again, its place kept), or an end.
          const r = await this.get(key);
          if (r?.status === 'queued') await this.redis.zadd(this.queueKey, 'NX', r.enqueuedAt || now, key);
          if (r?.status !== 'held') await this.redis.zrem(this.activeKey, key);
        }
      }
    } finally {
      await this.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`, 1, this.sweepLockKey, token);
    }
    return { timedOut, requeued };
  }
}

/** What a held-back message keeps: its content, not the ids and addresses of the turn that made it. */
function keptOf(a: Partial<Activity>): Partial<Activity> {
  const { type, text, textFormat, attachments, attachmentLayout, suggestedActions, channelData, speak, inputHint, locale } = a;
  return { type, text, textFormat, attachments, attachmentLayout, suggestedActions, channelData, speak, inputHint, locale };
}

function pairs(fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i] as string] = fields[i + 1] as string;
  return out;
}
