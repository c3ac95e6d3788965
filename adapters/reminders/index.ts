/**
 * Iqama expiry reminders. At opt-in a dialog hands over the consent id the services API gave,
 * the conversation reference, language and channel (subscribe); nothing else about the person
 * is kept, and no token. One process at a time — whichever holds the Redis lease — reads, for
 * each consent, the dependents' iqama expiry dates with the bot's service key, and sends each
 * due reminder (30 and 7 days before expiry by default) once per dependent, threshold and
 * expiry date, outside the quiet hours (Riyadh time, read from the API's clock), in the user's
 * language, through the conversation reference (web chat; WhatsApp as text inside the 24-hour
 * window and as the reminder template outside it).
 *
 * Exactly once: each due reminder is an outbox entry `rem:sent:…` claimed with SET NX and a
 * claim lease before the send and marked done after it. A process killed mid-send leaves a
 * claim that lapses (REMINDER_CLAIM_MS); the next lease holder sends it again with the same
 * delivery key (channelData.deliveryKey), which the bot's own channels (Direct Line, WhatsApp)
 * store once and deliver once: nothing lost, nothing twice. A failed send drops the claim and
 * is retried on the next poll.
 */
import { createHash } from 'node:crypto';
import type { ChannelModule } from '../../bot/app';
import { leasedSender } from '../../bot/leasedSender';
import type { ChannelContext } from '../../bot/channels';
import { isServiceError } from '../services/types';
import type { ReminderConsentApi, ReminderExpiries } from '../services/reminderConsents';
import { daysBetween, dueThreshold, inQuietHours, loadRemindersConfig, type RemindersConfig } from './config';
import { conversationKeyOf, type ComposeReminder, type Reminders, type ReminderSubscription } from './types';

export { conversationKeyOf, DEFAULT_THRESHOLDS, type Reminders, type RemindersDeps, type ReminderSubscription, type ComposeReminder, type DueReminder } from './types';
export { inQuietHours, dueThreshold, daysBetween, loadRemindersConfig, type RemindersConfig } from './config';

export interface ReminderSchedulerOptions {
  services: ReminderConsentApi;
  /** Builds the message maker from the app's translator (dialogs/reminders/message.ts: reminderComposer). */
  composer: (t: ChannelContext['t']) => ComposeReminder;
  /** Overrides of the environment's settings (tests). */
  config?: Partial<RemindersConfig>;
  /** Lease length; renewed by every poll (default 3 × pollMs, at least 5 s). */
  leaseMs?: number;
  /** Tests call poll() themselves. */
  autoStart?: boolean;
  onReady?: (handle: ReminderSchedulerHandle) => void;
}

export interface ReminderSchedulerHandle extends Reminders {
  /** One pass over every consent: returns how many reminders this process sent. */
  poll(): Promise<number>;
}

/** Kept while the consent lasts; renewed by a new opt-in. */
const SUBSCRIPTION_TTL_SECONDS = 400 * 24 * 3600;
/** Longer than the largest threshold: a done mark outlives the reminder's relevance. */
const SENT_TTL_SECONDS = 120 * 24 * 3600;

interface Stored extends ReminderSubscription {
  consentId: string;
  thresholds: number[];
}

export function reminderScheduler(options: ReminderSchedulerOptions): ChannelModule {
  return (ctx) => {
    const { redis, prefix } = ctx;
    const logger = ctx.logger.child({ module: 'reminders' });
    const config: RemindersConfig = { ...loadRemindersConfig(ctx.config as Record<string, unknown>), ...options.config };
    const leaseMs = options.leaseMs ?? Math.max(5000, config.pollMs * 3);
    const { services } = options;
    const key = {
      consent: (id: string) => `${prefix}rem:consent:${id}`,
      all: `${prefix}rem:consents`,
      byConversation: (conversationKey: string) => `${prefix}rem:conv:${conversationKey}`,
      sent: (id: string, dependentId: string, expiryDate: string, threshold: number) => `${prefix}rem:sent:${id}:${dependentId}:${expiryDate}:${threshold}`,
      lease: `${prefix}rem:lease`,
    };
    const sender = leasedSender(ctx, logger, { leaseKey: key.lease, leaseMs, pollMs: config.pollMs, autoStart: options.autoStart });
    const compose = options.composer(ctx.t);

    /** Forgets a consent here and revokes it at the services API (best effort: the API forgets it too when asked again). */
    async function forget(consentId: string, conversationKey?: string): Promise<void> {
      // One key per command: on Redis Cluster the keys live in different slots.
      await redis.del(key.consent(consentId));
      await redis.srem(key.all, consentId);
      if (conversationKey) await redis.del(key.byConversation(conversationKey));
      await services.revokeReminderConsent(consentId).catch((err: unknown) =>
        logger.warn({ kind: isServiceError(err) ? err.kind : 'unknown' }, 'reminder consent not revoked at the services API'),
      );
    }

    const reminders: Reminders = {
      async subscribe(token, idempotencyKey, where) {
        const { consentId, dependentsWithIqama } = await services.createReminderConsent(token, idempotencyKey);
        const conversationKey = conversationKeyOf(where.reference);
        const stored: Stored = { ...where, consentId, thresholds: config.thresholds };
        try {
          const previous = await redis.get(key.byConversation(conversationKey));
          await redis.set(key.consent(consentId), JSON.stringify(stored), 'EX', SUBSCRIPTION_TTL_SECONDS);
          await redis.set(key.byConversation(conversationKey), consentId, 'EX', SUBSCRIPTION_TTL_SECONDS);
          await redis.sadd(key.all, consentId);
          if (previous && previous !== consentId) await forget(previous);
        } catch (err) {
          // Not kept here: the consent must not outlive the failure at the services API either.
          await services.revokeReminderConsent(consentId).catch(() => undefined);
          throw err;
        }
        return { dependentsWithIqama };
      },
      async unsubscribe(conversationKey) {
        const consentId = await redis.get(key.byConversation(conversationKey));
        if (!consentId) return false;
        await forget(consentId, conversationKey);
        return true;
      },
      async isSubscribed(conversationKey) {
        return (await redis.exists(key.byConversation(conversationKey))) === 1;
      },
    };
    ctx.erasure.register('reminders', async (target) => {
      await reminders.unsubscribe(target.conversationKey);
    });

    /** Sends what is due for one consent; returns how many went out. */
    async function pass(consentId: string): Promise<number> {
      const raw = await redis.get(key.consent(consentId));
      if (!raw) {
        await redis.srem(key.all, consentId);
        return 0;
      }
      const stored = JSON.parse(raw) as Stored;
      let page: ReminderExpiries;
      try {
        page = await services.getReminderExpiries(consentId);
      } catch (err) {
        if (isServiceError(err) && err.kind === 'not_found') {
          // Revoked at the services API (e.g. from Absher): nothing more to send.
          logger.info('reminder consent no longer valid: forgotten');
          await forget(consentId, conversationKeyOf(stored.reference));
          return 0;
        }
        throw err;
      }
      // The API's clock is the time source: quiet hours and days left follow it.
      if (inQuietHours(Date.parse(page.now), config.quietHours)) return 0;
      let sent = 0;
      for (const expiry of page.expiries) {
        const daysLeft = daysBetween(page.today, expiry.expiryDate);
        const threshold = dueThreshold(daysLeft, stored.thresholds);
        if (threshold === undefined) continue;
        const entry = key.sent(consentId, expiry.dependentId, expiry.expiryDate, threshold);
        // Claimed before sending: one sender per reminder, even across overlapping polls or a lapsed lease.
        const build = () => {
          const deliveryKey = `rem-${createHash('sha256').update(entry).digest('hex').slice(0, 32)}`;
          const activity = compose(stored.lang, { expiry, threshold, daysLeft });
          activity.channelData = { ...(activity.channelData as object | undefined), deliveryKey };
          return activity;
        };
        const outcome = await sender.sendOnce(entry, stored.reference, build, { claimMs: config.claimMs, sentTtlSeconds: SENT_TTL_SECONDS });
        if (outcome.kind === 'taken') continue; // sent, or being sent
        if (outcome.kind === 'failed') {
          logger.warn({ err: { message: outcome.error.message }, threshold }, 'reminder not delivered; retried on the next poll');
          return sent;
        }
        sent++;
      }
      return sent;
    }

    async function poll(): Promise<number> {
      if (!(await sender.holdsLease())) return 0;
      let sent = 0;
      for (const consentId of await redis.smembers(key.all)) {
        try {
          sent += await pass(consentId);
        } catch (err) {
          logger.warn({ err: { message: (err as Error).message } }, 'reminder check failed; retried on the next poll');
        }
      }
      return sent;
    }

    sender.run(poll);
    options.onReady?.({ ...reminders, poll });
    return { reminders };
  };
}
