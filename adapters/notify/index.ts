/**
 * Tawasul status notifications. When a ticket is opened, the dialog hands its conversation
 * reference and language to `watch()`; they are kept in Redis (not memory), so they survive
 * restarts. One process at a time — whichever holds the Redis lease — reads the services
 * API's event feed from the cursor stored in Redis and, for each status change of a watched
 * ticket, sends a proactive message in the user's language on the channel and conversation
 * where it was opened (WhatsApp falls back to its template outside the 24-hour window).
 *
 * Delivery: an event is sent only by the lease holder, and only after it claims the event
 * (SET NX on its mark, with an expiry): a poll that overlaps a slow send, or another process
 * that took over a lapsed lease mid-batch, finds the claim and stops instead of sending again.
 * The mark becomes "sent" right after the send; a failed send drops the claim and is retried
 * on the next poll (none lost). The cursor moves only past a page whose watched events are all
 * sent. A duplicate needs a crash between a send and its mark (milliseconds), after which the
 * claim expires and the event goes out again: we prefer that to losing it.
 */
import type { ConversationReference } from 'botbuilder';
import type { ChannelModule } from '../../bot/app';
import { leasedSender } from '../../bot/leasedSender';
import type { ServicesApi, StatusEvent } from '../services/types';

/** What the Tawasul dialog calls when a ticket is created (FeatureDeps.ticketWatch). */
export interface TicketWatch {
  watch(ticketNumber: string, reference: Partial<ConversationReference>, lang: Lang): Promise<void>;
}

export interface TicketNotifierOptions {
  services: ServicesApi;
  /** How often the lease holder reads the feed (NOTIFY_POLL_MS, default 5 s). */
  pollMs?: number;
  /** Lease length; renewed by every poll (default 3 × pollMs, at least 5 s). */
  leaseMs?: number;
  /** Tests call poll() themselves. */
  autoStart?: boolean;
  onReady?: (handle: TicketNotifierHandle) => void;
}

export interface TicketNotifierHandle {
  /** One poll: returns how many notifications this process sent. */
  poll(): Promise<number>;
  watch: TicketWatch['watch'];
}

const WATCH_TTL_SECONDS = 90 * 24 * 3600;
const SENT_TTL_SECONDS = 30 * 24 * 3600;
/** How long a claimed event stays claimed if its sender dies before marking it sent. */
const CLAIM_MS = 60_000;

/** The bot's two languages (adapters do not import dialogs/). */
type Lang = 'ar' | 'en';

interface Watched {
  reference: Partial<ConversationReference>;
  lang: Lang;
}

export function ticketNotifier(options: TicketNotifierOptions): ChannelModule {
  return (ctx) => {
    const { redis, prefix, t } = ctx;
    const logger = ctx.logger.child({ module: 'notify' });
    const pollMs = options.pollMs ?? ctx.config.NOTIFY_POLL_MS;
    const leaseMs = options.leaseMs ?? Math.max(5000, pollMs * 3);
    const key = {
      ref: (ticket: string) => `${prefix}notify:ref:${ticket}`,
      sent: (seq: number) => `${prefix}notify:sent:${seq}`,
      cursor: `${prefix}notify:cursor`,
      /** The tickets watched for one conversation, so deletion on request finds them. */
      byConversation: (conversationKey: string) => `${prefix}notify:conv:${conversationKey}`,
      lease: `${prefix}notify:lease`,
    };
    const sender = leasedSender(ctx, logger, { leaseKey: key.lease, leaseMs, pollMs, autoStart: options.autoStart });

    const watch: TicketWatch['watch'] = async (ticketNumber, reference, lang) => {
      await redis.set(key.ref(ticketNumber), JSON.stringify({ reference, lang } satisfies Watched), 'EX', WATCH_TTL_SECONDS);
      const index = key.byConversation(`${reference.channelId ?? ''}/conversations/${reference.conversation?.id ?? ''}`);
      await redis.multi().sadd(index, ticketNumber).expire(index, WATCH_TTL_SECONDS).exec();
    };
    ctx.erasure.register('notify', async (target) => {
      const index = key.byConversation(target.conversationKey);
      const tickets = await redis.smembers(index);
      // One key per command: on Redis Cluster the keys live in different slots.
      await Promise.all([index, ...tickets.map((n) => key.ref(n))].map((k) => redis.del(k)));
    });

    const message = (e: StatusEvent, lang: Lang): string => {
      // "Reason" for a refusal or a request for information; a note for anything else.
      const reason = e.reason ? t(lang, 'tawasul:notify.reason', { reason: e.reason[lang], context: e.status }) : '';
      return t(lang, 'tawasul:notify.changed', { number: e.number, status: e.statusLabel[lang], reason });
    };

    async function poll(): Promise<number> {
      if (!(await sender.holdsLease())) return 0;
      const cursor = (await redis.get(key.cursor)) ?? undefined;
      const page = await options.services.listEvents(cursor, 100);
      let sent = 0;
      let complete = true;
      for (const e of page.events) {
        if (e.kind === 'ticket') {
          const raw = await redis.get(key.ref(e.number));
          if (raw) {
            // Claimed before sending: one sender per event, even across overlapping polls or a lapsed lease.
            const watched = JSON.parse(raw) as Watched;
            const outcome = await sender.sendOnce(key.sent(e.seq), watched.reference, () => message(e, watched.lang), { claimMs: CLAIM_MS, sentTtlSeconds: SENT_TTL_SECONDS });
            if (outcome.kind === 'taken') {
              if ((await redis.get(key.sent(e.seq))) === '1') continue; // already sent
              complete = false; // someone else is sending it (or died doing so): read this page again later
              break;
            }
            if (outcome.kind === 'failed') {
              logger.warn({ err: { message: outcome.error.message }, ticket: e.number }, 'notification not delivered; retried on the next poll');
              complete = false;
              break;
            }
            sent++;
          }
        }
      }
      // The cursor moves only once the whole page went out; a page cut short is read again
      // and its sent events are skipped by their marks.
      if (complete && page.cursor !== cursor) await redis.set(key.cursor, page.cursor);
      return sent;
    }

    sender.run(poll);
    options.onReady?.({ poll, watch });
    return { ticketWatch: { watch } };
  };
}
