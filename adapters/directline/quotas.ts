/**
 * What one conversation may cost us. A token reads and writes only its own conversation, so
 * per conversation is per token: messages per minute and per 10 seconds, uploaded bytes per
 * hour and per day, open WebSockets (counted across processes in Redis), and activities kept.
 * A refusal is a 429 with Retry-After and a Direct Line error body (403 for a full
 * conversation, which no waiting cures).
 *
 * Sockets: each open socket holds a slot in the sorted set dl:{conv}:sockets, scored by when
 * its lease ends. The process refreshes its slots' leases while they are open and removes
 * them on close; slots of a killed process lapse with their lease. Each process also counts
 * its own sockets, so a conversation cannot exceed its limit on one process even when the
 * shared count is unavailable, and the process as a whole has a ceiling.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisConnection } from '../../bot/storage/redisClient';
import type { DirectLineQuotaConfig } from './config';
import { HttpProblem } from '../../bot/http/body';
import type { DirectLineStore } from './store';

/** How long a socket's slot lives without a refresh: a killed process's slots are free after this. */
export const SOCKET_LEASE_MS = 60_000;
/** A multipart body is a little larger than the files in it. */
const MULTIPART_SLACK_BYTES = 256 * 1024;
/** What a refused socket is told to wait: sockets free up when another tab closes, not on a clock. */
const SOCKET_RETRY_SECONDS = 10;

export class QuotaExceeded extends HttpProblem {
  constructor(code: string, message: string, retryAfterSeconds: number) {
    super(429, code, message, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}

/** An open socket's slot; release() when it closes (idempotent). */
export interface SocketSlot {
  release(): void;
}

export class DirectLineQuotas {
  private readonly messagesPerMinute: RateLimiterRedis;
  private readonly messageBurst: RateLimiterRedis;
  private readonly uploadPerHour: RateLimiterRedis;
  private readonly uploadPerDay: RateLimiterRedis;
  /** This process's slots: member → conversation. */
  private readonly held = new Map<string, string>();
  private readonly localPerConv = new Map<string, number>();
  private readonly processId = randomBytes(6).toString('hex');
  private nextSlot = 0;
  private readonly refresher: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
    private readonly store: DirectLineStore,
    private readonly config: DirectLineQuotaConfig,
    private readonly logger: Logger,
  ) {
    const limiter = (name: string, points: number, duration: number) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}dl:rl:${name}`, points, duration });
    this.messagesPerMinute = limiter('msg:min', config.messagesPerMinute, 60);
    this.messageBurst = limiter('msg:10s', config.messageBurst, 10);
    this.uploadPerHour = limiter('up:hour', config.uploadBytesPerHour, 3600);
    this.uploadPerDay = limiter('up:day', config.uploadBytesPerDay, 24 * 3600);
    this.refresher = setInterval(() => void this.refreshSlots(), SOCKET_LEASE_MS / 3);
    this.refresher.unref();
  }

  /** A message (or an upload's message) may be stored and sent to the bot; throws the refusal. */
  async admitMessage(conv: string): Promise<void> {
    for (const limiter of [this.messageBurst, this.messagesPerMinute]) {
      try {
        await limiter.consume(conv);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        throw new QuotaExceeded('too_many_requests', 'too many messages in this conversation; try again shortly', err.msBeforeNext / 1000);
      }
    }
  }

  /** Before the body is read: refuses an upload that cannot fit in what is left today or this hour. */
  async admitUpload(conv: string, declaredBytes: number): Promise<void> {
    for (const [limiter, points] of [
      [this.uploadPerHour, this.config.uploadBytesPerHour],
      [this.uploadPerDay, this.config.uploadBytesPerDay],
    ] as const) {
      const used = await limiter.get(conv);
      if (!used) continue;
      const left = points - used.consumedPoints;
      const needed = Number.isFinite(declaredBytes) ? Math.max(1, declaredBytes - MULTIPART_SLACK_BYTES) : 1;
      if (needed > left) throw this.uploadRefusal(used.msBeforeNext);
    }
  }

  /** Deletion on request: the conversation's counters go with it. */
  async forget(conv: string): Promise<void> {
    await Promise.all([this.messagesPerMinute, this.messageBurst, this.uploadPerHour, this.uploadPerDay].map((l) => l.delete(conv)));
  }

  /** Counts the files' bytes against the hourly and daily allowance; an upload that does not fit counts nothing. */
  async chargeUpload(conv: string, bytes: number): Promise<void> {
    const charged: RateLimiterRedis[] = [];
    for (const limiter of [this.uploadPerHour, this.uploadPerDay]) {
      try {
        await limiter.consume(conv, bytes);
        charged.push(limiter);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        // Give back what this refused upload took, so a smaller one still fits.
        await Promise.all([...charged, limiter].map((l) => l.reward(conv, bytes)));
        throw this.uploadRefusal(err.msBeforeNext);
      }
    }
  }

  private uploadRefusal(msBeforeNext: number): QuotaExceeded {
    return new QuotaExceeded('upload_quota_exceeded', 'this conversation has uploaded as much as it may for now; try again later', msBeforeNext / 1000);
  }

  /** A slot for a new socket on the conversation, or a QuotaExceeded thrown. */
  async acquireSocket(conv: string): Promise<SocketSlot> {
    const local = this.localPerConv.get(conv) ?? 0;
    if (local >= this.config.socketsPerConversation || this.held.size >= this.config.maxSocketsPerProcess) throw this.socketRefusal();
    const key = this.store.socketsKey(conv);
    const member = `${this.processId}:${this.nextSlot++}`;
    const now = Date.now();
    const results = await this.redis
      .multi()
      .zremrangebyscore(key, '-inf', now)
      .zadd(key, now + SOCKET_LEASE_MS, member)
      .zcard(key)
      .pexpire(key, SOCKET_LEASE_MS)
      .exec();
    const [err, count] = results?.[2] ?? [new Error('socket count failed'), 0];
    if (err) throw err;
    // Added first, counted after: two processes racing for the last slot may both be refused, never both admitted.
    if (Number(count) > this.config.socketsPerConversation) {
      await this.redis.zrem(key, member);
      throw this.socketRefusal();
    }
    this.held.set(member, conv);
    this.localPerConv.set(conv, local + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.held.delete(member);
        const left = (this.localPerConv.get(conv) ?? 1) - 1;
        if (left > 0) this.localPerConv.set(conv, left);
        else this.localPerConv.delete(conv);
        this.redis.zrem(key, member).catch((e: unknown) => this.logger.debug({ err: e }, 'Direct Line: socket slot not released (it lapses)'));
      },
    };
  }

  private socketRefusal(): QuotaExceeded {
    return new QuotaExceeded('too_many_sockets', `at most ${this.config.socketsPerConversation} open connections per conversation`, SOCKET_RETRY_SECONDS);
  }

  /** Open sockets keep their slots: each lease is pushed forward while the socket lives. */
  private async refreshSlots(): Promise<void> {
    const until = Date.now() + SOCKET_LEASE_MS;
    await Promise.all(
      [...this.held].map(async ([member, conv]) => {
        const key = this.store.socketsKey(conv);
        try {
          await this.redis.zadd(key, 'XX', until, member);
          await this.redis.pexpire(key, SOCKET_LEASE_MS);
        } catch (err) {
          this.logger.warn({ err }, 'Direct Line: socket lease not refreshed');
        }
      }),
    );
  }

  close(): void {
    clearInterval(this.refresher);
  }
}
