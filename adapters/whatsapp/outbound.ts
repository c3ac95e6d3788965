/**
 * Delivers the bot's activities to a WhatsApp user: renders them (render.ts), keeps to the
 * 24-hour customer-service window (an approved template outside it, and when the API answers
 * 131047), and records each part sent so a repeated delivery of the same activity never sends
 * a part twice.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import type { Metrics } from '../../bot/metrics';
import type { WhatsAppConfig } from './config';
import { GraphError, type GraphClient } from './graph';
import { renderActivity, templateMessage, type RenderLabels, type WaMessage } from './render';
import type { WhatsAppStore } from './store';
import { langOfLocale, type Lang } from './text';

export const WINDOW_MS = 24 * 3600 * 1000;
const RECORD_TTL_SECONDS = 24 * 3600;

export function maskWaId(waId: string): string {
  return `…${waId.slice(-2)}`;
}

export interface OutboundDeps {
  config: WhatsAppConfig;
  graph: GraphClient;
  store: WhatsAppStore;
  labels: (lang: Lang) => RenderLabels;
  clock: () => number;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Whom a delivery goes to: the pseudonym (conversation and user id, and the name of the
 * user's keys) and the number it stands for (only Graph calls see it).
 */
export interface Recipient {
  user: string;
  waId: string;
  /**
   * The user's data was erased in the turn now running (deletion on request): the reply still
   * goes out (the user has just written, so inside the window) but nothing of it is stored.
   */
  erased?: boolean;
  /**
   * A turn for this user's message is running in this process: what is sent now is its reply.
   * Proactive messages (reminders, notifications) are not, even when they carry a replyToId
   * from the stored conversation reference, so each of them gets its own template when late.
   */
  replying?: boolean;
}

/** A message's own approved template (channelData.template), e.g. the iqama expiry reminder's. */
interface OwnTemplate {
  kind: string;
  params: string[];
}

function templateOf(activity: Partial<Activity>): OwnTemplate | undefined {
  const t = (activity.channelData as { template?: { kind?: unknown; params?: unknown } } | undefined)?.template;
  if (!t || typeof t.kind !== 'string' || !Array.isArray(t.params) || !t.params.every((p) => typeof p === 'string')) return undefined;
  return { kind: t.kind, params: t.params as string[] };
}

/** A message to send as the template (outside the 24-hour window). */
interface LateMessage {
  to: Recipient;
  id: string;
  summary: string;
  lang: Lang;
  sent: Record<string, string>;
  ttl: number;
  /** The inbound activity this message answers, when it is a reply. */
  replyTo?: string;
  /** The message names its own approved template (reminders). */
  own?: OwnTemplate;
}

export type DeliveryOutcome = 'sent' | 'template' | 'skipped' | 'undeliverable' | 'failed' | 'no_template';

function captionOf(message: WaMessage): string | undefined {
  if (message.type === 'image') return message.image.caption;
  if (message.type === 'document') return message.document.caption;
  return undefined;
}

function withoutCaption(message: WaMessage): WaMessage {
  if (message.type === 'image') return { type: 'image', image: { link: message.image.link } };
  if (message.type === 'document') return { type: 'document', document: { link: message.document.link, ...(message.document.filename ? { filename: message.document.filename } : {}) } };
  return message;
}

export class OutboundSender {
  constructor(private readonly deps: OutboundDeps) {}

  /**
   * The idempotency key of one delivery. The bot's Connector client keeps the same
   * x-ms-client-request-id when it retries a call, so a retried call is recognised and parts
   * already sent are not sent again. Without it each call is a new delivery (an agent may well
   * send "ok" twice, with the same reply-to id).
   */
  static keyOf(requestId: string | undefined, activity: Partial<Activity>): string {
    // A proactive message that may be sent again after its sender died (reminders) names its
    // delivery itself: the same key from any process is the same delivery.
    const deliveryKey = (activity.channelData as { deliveryKey?: unknown } | undefined)?.deliveryKey;
    const basis =
      typeof deliveryKey === 'string' && /^[\w-]{8,128}$/.test(deliveryKey)
        ? `d:${deliveryKey}`
        : requestId && /^[\w-]{8,128}$/.test(requestId)
          ? `r:${requestId}`
          : activity.id
            ? `a:${activity.id}`
            : `n:${randomUUID()}`;
    return createHash('sha256').update(basis).digest('hex').slice(0, 32);
  }

  async deliver(to: Recipient, activity: Partial<Activity>, requestId?: string): Promise<{ id: string; outcome: DeliveryOutcome }> {
    const { store, logger } = this.deps;
    const { waId } = to;
    const id = OutboundSender.keyOf(requestId, activity);
    if (activity.type !== 'message') return { id, outcome: 'skipped' };
    const lang = await this.languageFor(to, activity);
    const rendered = renderActivity(activity, this.deps.labels(lang));
    if (rendered.messages.length === 0) return { id, outcome: 'skipped' };
    const ttl = RECORD_TTL_SECONDS;
    const sent = await store.sentParts(id);

    const late = { to, id, summary: rendered.summary, lang, sent, ttl, replyTo: to.replying ? (activity.replyToId ?? undefined) : undefined, own: templateOf(activity) };
    // The window runs from the user's last message as Meta timed it (recordInbound).
    const last = to.erased ? this.deps.clock() : await store.lastInbound(to.user);
    if (last === undefined || this.deps.clock() - last >= WINDOW_MS) {
      logger.info({ to: maskWaId(waId) }, 'outside the 24-hour window: sending the template');
      return { id, outcome: await this.sendTemplate(late) };
    }

    // No menu is remembered for a user whose data is gone.
    if (rendered.menu && !to.erased) await store.setMenu(to.user, rendered.menu);
    else if (rendered.hasChoices && !to.erased) await store.clearMenu(to.user);

    // A part that fails does not hold back the others (an agent's text still arrives when
    // their file cannot be fetched); the delivery then reports 'failed'.
    let failed = false;
    for (const [i, part] of rendered.messages.entries()) {
      if (sent[String(i)]) continue;
      // A retried delivery whose caption already went as text sends the file alone.
      const message = sent[`${i}c`] ? withoutCaption(part) : part;
      const outcome = await this.sendPart(waId, id, String(i), message, ttl);
      if (outcome === 'window') return { id, outcome: await this.sendTemplate(late) };
      if (outcome === 'undeliverable') return { id, outcome };
      if (outcome === 'failed') {
        failed = true;
        // A file that cannot be sent must not take its caption (an agent's words) with it.
        const caption = captionOf(message);
        if (caption && !sent[`${i}c`]) await this.sendPart(waId, id, `${i}c`, { type: 'text', text: { body: caption } }, ttl);
      }
    }
    return { id, outcome: failed ? 'failed' : 'sent' };
  }

  /** The reply language: the activity's (the bot's turn language), else the one last used. */
  private async languageFor(to: Recipient, activity: Partial<Activity>): Promise<Lang> {
    const fromActivity = langOfLocale(activity.locale);
    if (to.erased) return fromActivity ?? 'ar';
    if (fromActivity) {
      await this.deps.store.setLang(to.user, fromActivity);
      return fromActivity;
    }
    return (await this.deps.store.lang(to.user)) ?? 'ar';
  }

  private async sendPart(
    waId: string,
    id: string,
    part: string,
    message: WaMessage,
    ttl: number,
  ): Promise<'sent' | 'window' | 'undeliverable' | 'failed'> {
    try {
      await this.deps.graph.send(waId, message);
      await this.deps.store.markPartSent(id, part, ttl);
      return 'sent';
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      if (err.kind === 'window') return 'window';
      this.deps.metrics.errors.inc({ kind: 'channel' });
      const log = { err: { message: err.message, code: err.code, status: err.status }, to: maskWaId(waId), type: message.type };
      if (err.kind === 'undeliverable') {
        this.deps.logger.warn(log, 'WhatsApp message undeliverable (131026): giving up');
        return 'undeliverable';
      }
      this.deps.logger.error(log, 'WhatsApp message not sent');
      return 'failed';
    }
  }

  /**
   * Outside the window: the approved template, carrying the message's text. One per late
   * reply: the reply's first message with text goes as the template, its other messages
   * (a menu, a second paragraph) are not sent; the user's answer reopens the window.
   */
  private async sendTemplate(late: LateMessage): Promise<DeliveryOutcome> {
    const { to, id, summary, lang, sent, ttl, replyTo, own } = late;
    const { waId } = to;
    if (sent.t) return 'template';
    if (!summary) return 'skipped'; // Only media or choices: a template carries neither.
    if (replyTo && !to.erased && !(await this.deps.store.firstTemplateFor(to.user, replyTo))) {
      this.deps.logger.info({ to: maskWaId(waId) }, 'outside the 24-hour window: this reply already went as a template');
      return 'skipped';
    }
    const reminder = own?.kind === 'reminder' ? this.deps.config.reminderTemplate : undefined;
    if (reminder && own) {
      const language = reminder.languages.find((l) => l.toLowerCase().startsWith(lang)) ?? reminder.languages[0] ?? lang;
      const outcome = await this.sendPart(waId, id, 't', templateMessage(reminder.name, language, own.params), ttl);
      if (outcome === 'window') return 'failed';
      return outcome === 'sent' ? 'template' : outcome;
    }
    const template = this.deps.config.template;
    if (!template) {
      this.deps.metrics.errors.inc({ kind: 'channel' });
      this.deps.logger.warn({ to: maskWaId(waId) }, 'outside the 24-hour window and WHATSAPP_TEMPLATE_NOTIFY is not set: message not sent');
      return 'no_template';
    }
    const language = template.languages.find((l) => l.toLowerCase().startsWith(lang)) ?? template.languages[0] ?? lang;
    const outcome = await this.sendPart(waId, id, 't', templateMessage(template.name, language, summary), ttl);
    if (outcome === 'window') {
      this.deps.logger.error({ to: maskWaId(waId) }, 'the template was refused as outside the window');
      return 'failed';
    }
    return outcome === 'sent' ? 'template' : outcome;
  }
}
