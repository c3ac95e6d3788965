/**
 * Proactive messages sent by one process at a time (Tawasul notifications, iqama expiry reminders):
 * whichever holds a Redis lease polls; each message is claimed before it is sent and marked sent
 * after, so overlapping polls or a lease taken over mid-batch never send it twice, and a sender
 * killed mid-send leaves a claim that lapses and is sent again by the next holder.
 */
import { randomUUID } from 'node:crypto';
import type { Activity, ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import type { ChannelContext } from './channels';

// Compare-and-delete / compare-and-extend: only the holder releases or renews what it holds.
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const EXTEND = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/** sent; taken: sent already or being sent (the mark exists); failed: not delivered, claim released. */
export type SendOutcome = { kind: 'sent' } | { kind: 'taken' } | { kind: 'failed'; error: Error };

export interface MarkTimes {
  /** How long a claim holds if its sender dies before marking the message sent. */
  claimMs: number;
  /** How long the "sent" mark is kept. */
  sentTtlSeconds: number;
}

export interface LeasedSender {
  /** Takes or renews the lease: true while this process is the one that sends. */
  holdsLease(): Promise<boolean>;
  /** Claims `mark`, sends the message (built only once claimed) through the stored reference, marks it sent. */
  sendOnce(mark: string, reference: Partial<ConversationReference>, message: () => string | Partial<Activity>, times: MarkTimes): Promise<SendOutcome>;
  /** Polls every `pollMs` (never two polls at once in one process) until the app closes, then releases the lease. */
  run(poll: () => Promise<unknown>): void;
}

export interface LeasedSenderOptions {
  leaseKey: string;
  leaseMs: number;
  pollMs: number;
  /** false: no timer (tests call poll themselves). */
  autoStart?: boolean;
}

export function leasedSender(ctx: Pick<ChannelContext, 'redis' | 'proactive' | 'onClose'>, logger: Logger, options: LeasedSenderOptions): LeasedSender {
  const { redis } = ctx;
  const token = randomUUID();
  const claim = `sending:${token}`;
  return {
    async holdsLease() {
      if ((await redis.set(options.leaseKey, token, 'PX', options.leaseMs, 'NX')) === 'OK') return true;
      return Number(await redis.eval(EXTEND, 1, options.leaseKey, token, String(options.leaseMs))) === 1;
    },

    async sendOnce(mark, reference, message, times) {
      if ((await redis.set(mark, claim, 'PX', times.claimMs, 'NX')) !== 'OK') return { kind: 'taken' };
      try {
        // The adapter's turn-error handler would swallow a failed send: caught here so the
        // message is not marked sent.
        let failure: unknown;
        const activity = message();
        await ctx.proactive.continueConversation(reference, async (tc) => {
          await tc.sendActivity(activity).catch((err: unknown) => (failure = err ?? new Error('send failed')));
        });
        if (failure) throw failure;
      } catch (err) {
        await redis.eval(RELEASE, 1, mark, claim).catch(() => undefined);
        return { kind: 'failed', error: err instanceof Error ? err : new Error(String(err)) };
      }
      await redis.set(mark, '1', 'EX', times.sentTtlSeconds);
      return { kind: 'sent' };
    },

    run(poll) {
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<unknown> = Promise.resolve();
      if (options.autoStart !== false) {
        let polling = false;
        timer = setInterval(() => {
          // A slow send can outlast the interval: never two polls at once in one process.
          if (polling) return;
          polling = true;
          running = poll()
            .catch((err: unknown) => logger.warn({ err: { message: (err as Error).message } }, 'poll failed'))
            .finally(() => (polling = false));
        }, options.pollMs);
        timer.unref();
      }
      ctx.onClose(async () => {
        if (timer) clearInterval(timer);
        await running;
        await redis.eval(RELEASE, 1, options.leaseKey, token).catch(() => undefined);
      });
    },
  };
}
