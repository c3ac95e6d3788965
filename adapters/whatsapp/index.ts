/**
 * The WhatsApp channel (WhatsApp Business Cloud API) as a channel module:
 *   GET  /api/whatsapp                 webhook verification (hub.challenge)
 *   POST /api/whatsapp                 signed webhooks → de-duplicated → the bot, in order per user
 *   GET  /api/whatsapp/media/:id       signed, expiring link that downloads inbound media on demand
 *   POST /connector/whatsapp/v3/...    the bot's replies (Connector API) → Graph API messages
 * The bot never sees a phone number: the conversation and user id is the number's HMAC
 * (PII_HASH_SECRET), and the channel resolves it back (wa:addr:<hmac>) only to send.
 * Without WHATSAPP_* credentials the channel is disabled and its routes answer 503.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'restify';
import type { Activity } from 'botbuilder';
import type { ChannelModule } from '../../bot/app';
import type { ChannelContext } from '../../bot/channels';
import { CONNECTOR_SECRET_HEADER } from '../../bot/adapter';
import { parseJson, problemOf, readBody, readJson } from '../../bot/http/body';
import { loadWhatsAppConfig, type WhatsAppConfig } from './config';
import { GraphClient } from './graph';
import { activityIdOf, toActivity, WHATSAPP_CHANNEL_ID } from './inbound';
import { maskWaId, OutboundSender, type Recipient } from './outbound';
import { OutgoingActivity, type RenderLabels } from './render';
import { isValidMediaSignature, isValidSignature, mediaSignature } from './signature';
import { WhatsAppStore } from './store';
import { LOCALE_OF, type Lang } from './text';
import { eventsOf, WebhookPayload, type AnswerableMessage, type InboundMessage } from './webhook';

export { loadWhatsAppConfig, WhatsAppConfigError, type WhatsAppConfig, type TemplateSpec } from './config';
export { GraphClient, GraphError, classify, type GraphErrorKind } from './graph';
export { renderActivity, renderChoices, templateMessage, LIMITS, type WaMessage, type Choice, type RenderLabels, type Rendered } from './render';
export { markdownToWhatsApp, splitText, truncate, toTemplateParam, toAsciiDigits } from './text';
export { toActivity, menuNumber, WHATSAPP_CHANNEL_ID } from './inbound';
export { isValidSignature, signatureOf } from './signature';
export { OutboundSender, WINDOW_MS, maskWaId, type Recipient } from './outbound';
export { WhatsAppStore } from './store';

export interface WhatsAppChannelOptions {
  /** The Graph API transport (tests point the base URL at a fake instead; this is for more). */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; tests move it to cross the 24-hour window. */
  clock?: () => number;
  /** Receives the running channel (tests wait for background work with idle()). */
  onReady?: (channel: WhatsAppChannelHandle) => void;
}

export interface WhatsAppChannelHandle {
  config: WhatsAppConfig;
  store: WhatsAppStore;
  /** The pseudonym the bot sees as conversation and user id for a phone number. */
  userIdOf(waId: string): string;
  /** Resolves when every webhook received so far has been processed. */
  idle(): Promise<void>;
}

const MEDIA_LINK_TTL_MS = 24 * 3600 * 1000;
/**
 * Meta posts webhooks of up to 3 MB (a batch of messages and statuses): the webhook route
 * reads that much, counted on the stream; every other route keeps MAX_BODY_BYTES.
 */
export const WEBHOOK_MAX_BYTES = 3 * 1024 * 1024;
/** A webhook body that trickles in is dropped (408) after this long; Meta delivers it again. */
const WEBHOOK_READ_MS = 30_000;
/** A conversation id as the channel makes it: the pseudonym (22 base64url characters). */
const PSEUDONYM_ID = /^[A-Za-z0-9_-]{22}$/;
/** A conversation id from before pseudonyms: the number itself. */
const LEGACY_NUMBER_ID = /^\d{5,20}$/;
const DISABLED = {
  error: 'whatsapp_disabled',
  detail: 'WhatsApp is not configured: set WHATSAPP_VERIFY_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID',
};

function queryOf(req: Request): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function whatsAppChannel(options: WhatsAppChannelOptions = {}): ChannelModule {
  return (ctx) => {
    const config = loadWhatsAppConfig(ctx.config as Record<string, unknown>);
    if (!config) {
      const disabled = async (_req: Request, res: Response) => {
        res.send(503, DISABLED);
      };
      ctx.server.get('/api/whatsapp', disabled);
      ctx.server.post('/api/whatsapp', disabled);
      ctx.server.get('/api/whatsapp/media/:mediaId', disabled);
      ctx.logger.info('WhatsApp channel disabled (no WHATSAPP_* credentials)');
      return;
    }
    registerWhatsApp(ctx, config, options);
  };
}

function registerWhatsApp(ctx: ChannelContext, config: WhatsAppConfig, options: WhatsAppChannelOptions): void {
  const logger = ctx.logger.child({ module: 'whatsapp' });
  const clock = options.clock ?? Date.now;
  const store = new WhatsAppStore(ctx.redis, ctx.prefix);
  const userIdOf = (waId: string) => ctx.pseudonymize(waId);
  /** What stands for an inbound message id at rest (de-duplication key, activity id): its HMAC. */
  const messageKeyOf = (wamid: string) => activityIdOf(wamid, ctx.pseudonymize);
  /**
   * A conversation id → the user's pseudonym. References made before ids were pseudonymous
   * (Tawasul watches live 90 days) carry the number itself: it is hashed the same way.
   */
  const userOf = (conversationId: string) => (LEGACY_NUMBER_ID.test(conversationId) ? userIdOf(conversationId) : conversationId);
  /** Users whose message is being processed here now, with their number (replies in that turn need no lookup). */
  const live = new Map<string, Recipient>();
  ctx.erasure.register('whatsapp', async (target) => {
    if (target.channelId !== WHATSAPP_CHANNEL_ID) return;
    const user = userOf(target.conversationId);
    const current = live.get(user);
    if (current) current.erased = true; // the confirmation still reaches the user, unstored
    await store.erase(user);
  });
  const graph = new GraphClient({
    graphUrl: config.graphUrl,
    version: config.graphVersion,
    phoneNumberId: config.phoneNumberId,
    accessToken: config.accessToken,
    attempts: config.sendAttempts,
    retryBaseMs: config.retryBaseMs,
    fetch: options.fetch,
    onRetry: (err, attempt) => logger.warn({ err: { message: err.message, code: err.code }, attempt }, 'Graph API call retried'),
  });
  const labels = (lang: Lang): RenderLabels => ({
    choose: ctx.t(lang, 'whatsapp:choose'),
    listButton: ctx.t(lang, 'whatsapp:listButton'),
    numberedHint: ctx.t(lang, 'whatsapp:numberedHint'),
  });
  const sender = new OutboundSender({ config, graph, store, labels, clock, logger, metrics: ctx.metrics });
  const mediaKey = createHmac('sha256', config.appSecret).update('musaed:whatsapp:media').digest('hex');
  const serviceUrl = () => `${ctx.internalBaseUrl()}/connector/whatsapp/`;

  // ---- background work: in order per user, awaited on shutdown and by tests ----
  const chains = new Map<string, Promise<void>>();
  const pending = new Set<Promise<void>>();
  const inOrder = (waId: string, work: () => Promise<void>) => {
    const user = userIdOf(waId);
    const previous = chains.get(user) ?? Promise.resolve();
    const next = previous.then(work).catch((err: unknown) => {
      ctx.metrics.errors.inc({ kind: 'channel' });
      logger.error({ err, from: maskWaId(waId) }, 'WhatsApp message not processed');
    });
    chains.set(user, next);
    pending.add(next);
    void next.finally(() => {
      pending.delete(next);
      if (chains.get(user) === next) chains.delete(user);
    });
  };
  const idle = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
  ctx.onClose(async () => {
    await Promise.race([idle(), new Promise((r) => setTimeout(r, ctx.config.SHUTDOWN_GRACE_MS).unref())]);
  });

  const mediaUrl = (mediaId: string) => {
    const exp = clock() + MEDIA_LINK_TTL_MS;
    return `${ctx.internalBaseUrl()}/api/whatsapp/media/${encodeURIComponent(mediaId)}?exp=${exp}&sig=${mediaSignature(mediaId, exp, mediaKey)}`;
  };

  async function handleMessage(message: AnswerableMessage, profileName: string | undefined): Promise<void> {
    const waId = message.from;
    const user = userIdOf(waId);
    // The 24-hour window runs from when the user sent the message (Meta's timestamp), not from
    // when it reached us: a delivery Meta retried for hours must not open a window that is closed.
    await store.recordInbound(user, sentAt(message));
    await store.rememberAddress(user, waId, config.addressTtlSeconds);
    const lang = await store.lang(user);
    const menu = message.type === 'text' ? await store.menu(user) : undefined;
    const result = toActivity(message, {
      serviceUrl: serviceUrl(),
      userId: user,
      botId: config.phoneNumberId,
      locale: LOCALE_OF[lang ?? 'ar'],
      profileName,
      menu,
      mediaUrl,
      hash: ctx.pseudonymize,
      mediaWord: (kind) => ctx.t(lang ?? 'ar', `whatsapp:fileName.${kind}`),
    });
    if (menu && message.type === 'text') await store.clearMenu(user);
    if (result.kind === 'ignore') return;
    // Blue ticks and "typing…" only for a message that gets an answer; a failure here must not
    // stop the answer. The only use of the real message id, held in memory for this call.
    await graph.markReadWithTyping(message.id).catch((err: unknown) => logger.warn({ err: { message: (err as Error).message } }, 'mark-as-read failed'));
    if (result.kind === 'unsupported' || result.kind === 'location') {
      const reply = lang ?? 'ar';
      logger.info({ from: maskWaId(waId), type: message.type }, 'WhatsApp message answered by the channel');
      const key = result.kind === 'location' ? 'whatsapp:location' : 'whatsapp:unsupported';
      await sender.deliver({ user, waId }, { type: 'message', text: ctx.t(reply, key), locale: LOCALE_OF[reply], replyToId: messageKeyOf(message.id) });
      return;
    }
    live.set(user, { user, waId, replying: true });
    try {
      await ctx.gateway.process(result.activity);
    } finally {
      live.delete(user);
    }
  }

  /** When the user sent a message: Meta's timestamp (seconds), never in the future; now without one. */
  function sentAt(message: InboundMessage): number {
    const at = Number(message.timestamp) * 1000;
    return Number.isFinite(at) && at > 0 ? Math.min(at, clock()) : clock();
  }

  /** Whom a Connector call's conversation id stands for; undefined once the number expired or was erased. */
  async function recipientOf(conversationId: string): Promise<Recipient | undefined> {
    const user = userOf(conversationId);
    const current = live.get(user);
    if (current) return current;
    if (LEGACY_NUMBER_ID.test(conversationId)) return { user, waId: conversationId };
    const waId = await store.address(user);
    return waId ? { user, waId } : undefined;
  }

  // ---- inbound ----
  ctx.server.get('/api/whatsapp', async (req: Request, res: Response) => {
    const q = queryOf(req);
    const token = q.get('hub.verify_token') ?? '';
    if (q.get('hub.mode') === 'subscribe' && sameSecret(token, config.verifyToken)) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(q.get('hub.challenge') ?? '');
      return;
    }
    logger.warn('WhatsApp webhook verification refused');
    res.send(403, { error: 'forbidden' });
  });

  ctx.server.post('/api/whatsapp', async (req: Request, res: Response) => {
    let raw: Buffer;
    try {
      // The exact bytes: the signature is over them.
      raw = await readBody(req, WEBHOOK_MAX_BYTES, { deadlineMs: WEBHOOK_READ_MS });
    } catch (err) {
      const problem = problemOf(err);
      ctx.metrics.errors.inc({ kind: 'bad_request' });
      if (!res.headersSent) res.send(problem.status, { error: problem.code });
      return;
    }
    if (!isValidSignature(raw, req.header('x-hub-signature-256'), config.appSecret)) {
      ctx.metrics.errors.inc({ kind: 'bad_request' });
      logger.warn({ present: Boolean(req.header('x-hub-signature-256')) }, 'WhatsApp webhook with a missing or wrong signature');
      res.send(401, { error: 'invalid_signature' });
      return;
    }
    let parsed;
    try {
      parsed = WebhookPayload.safeParse(parseJson(raw));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      ctx.metrics.errors.inc({ kind: 'bad_request' });
      res.send(400, { error: 'invalid_payload' });
      return;
    }
    if (parsed.data.object !== 'whatsapp_business_account') {
      res.send(200, { status: 'ignored' });
      return;
    }
    const events = eventsOf(parsed.data, config.phoneNumberId);
    // Counts only: what was skipped may carry a number, a name or a message.
    if (events.skipped.invalid) logger.warn({ invalid: events.skipped.invalid }, 'WhatsApp webhook parts without the documented shape were skipped');
    if (events.skipped.noPhone) logger.warn({ messages: events.skipped.noPhone }, 'WhatsApp messages without the sender\'s number (username-only users) were skipped');
    for (const e of events.errors) {
      ctx.metrics.errors.inc({ kind: 'channel' });
      logger.error({ code: e.code, title: e.title }, 'WhatsApp reports an error for this app or number');
    }

    // De-duplicate before acknowledging: if Redis is down, 503 makes Meta deliver again later.
    const fresh: typeof events.messages = [];
    try {
      for (const m of events.messages) if (await store.firstSeen(messageKeyOf(m.message.id), config.dedupTtlSeconds)) fresh.push(m);
    } catch (err) {
      for (const m of fresh) await store.forget(messageKeyOf(m.message.id)).catch(() => undefined);
      ctx.metrics.errors.inc({ kind: 'storage' });
      logger.error({ err }, 'WhatsApp webhook not accepted: Redis unavailable');
      res.send(503, { error: 'unavailable' });
      return;
    }
    res.send(200, { status: 'received' });

    for (const s of events.statuses) {
      const log = { status: s.status, to: s.recipient_id ? maskWaId(s.recipient_id) : undefined, errors: s.errors?.map((e) => ({ code: e.code, title: e.title })) };
      if (s.status === 'failed') logger.warn(log, 'WhatsApp reports a message failed');
      else logger.debug(log, 'WhatsApp message status');
    }
    for (const { message, profileName } of fresh) inOrder(message.from, () => handleMessage(message, profileName));
  });

  ctx.server.get('/api/whatsapp/media/:mediaId', async (req: Request, res: Response) => {
    const mediaId = String(req.params.mediaId ?? '');
    const q = queryOf(req);
    if (!isValidMediaSignature(mediaId, Number(q.get('exp')), q.get('sig') ?? '', mediaKey, clock())) {
      res.send(403, { error: 'forbidden' });
      return;
    }
    try {
      const info = await graph.mediaInfo(mediaId);
      const download = await graph.download(info.url);
      const headers: Record<string, string> = { 'content-type': download.headers.get('content-type') ?? info.mimeType ?? 'application/octet-stream' };
      const length = download.headers.get('content-length');
      if (length) headers['content-length'] = length;
      res.writeHead(200, headers);
      if (!download.body) {
        res.end();
        return;
      }
      await new Promise<void>((resolve, reject) => {
        Readable.fromWeb(download.body as unknown as WebReadableStream).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
      });
    } catch (err) {
      ctx.metrics.errors.inc({ kind: 'channel' });
      logger.error({ err: { message: (err as Error).message } }, 'WhatsApp media download failed');
      if (!res.headersSent) res.send(502, { error: 'media_unavailable' });
      else res.destroy();
    }
  });

  // ---- outbound: the bot's Connector API calls ----
  const onActivity = async (req: Request, res: Response) => {
    if (!ctx.gateway.isTrusted(req.header(CONNECTOR_SECRET_HEADER))) {
      res.send(401, { error: 'unauthorized' });
      return;
    }
    const conversationId = String(req.params.conversationId ?? '');
    if (!PSEUDONYM_ID.test(conversationId) && !LEGACY_NUMBER_ID.test(conversationId)) {
      res.send(400, { error: 'invalid_conversation' });
      return;
    }
    let body: unknown;
    try {
      body = await readJson(req, ctx.config.MAX_BODY_BYTES);
    } catch (err) {
      const problem = problemOf(err);
      if (!res.headersSent) res.send(problem.status, { error: problem.code });
      return;
    }
    const parsed = OutgoingActivity.safeParse(body);
    if (!parsed.success) {
      res.send(400, { error: 'invalid_activity' });
      return;
    }
    const activity = parsed.data as Partial<Activity>;
    const to = await recipientOf(conversationId);
    if (!to) {
      // Like an undeliverable number: acknowledged, so a notification is not retried for ever.
      logger.warn('WhatsApp reply not sent: the number behind this conversation expired or was erased');
      res.send(200, { id: OutboundSender.keyOf(req.header('x-ms-client-request-id'), activity) });
      return;
    }
    const { id, outcome } = await sender.deliver(to, activity, req.header('x-ms-client-request-id'));
    // An agent is told when their message did not get through (the agent API answers 502 and
    // the console shows it); a retried call sends only the parts still missing. The bot's own
    // replies are acknowledged as before: a failed reply must not fail and reset the user's dialog.
    if (outcome === 'failed' && activity.from?.role === 'agent') {
      res.send(502, { error: 'not_delivered', id });
      return;
    }
    res.send(200, { id });
  };
  const base = '/connector/whatsapp/v3/conversations/:conversationId/activities';
  ctx.server.post(base, onActivity);
  ctx.server.post(`${base}/:activityId`, onActivity);
  // WhatsApp cannot edit or delete a sent message: acknowledged, nothing to do.
  const noChange = async (req: Request, res: Response) => {
    if (!ctx.gateway.isTrusted(req.header(CONNECTOR_SECRET_HEADER))) {
      res.send(401, { error: 'unauthorized' });
      return;
    }
    res.send(200, { id: String(req.params.activityId ?? '') });
  };
  ctx.server.put(`${base}/:activityId`, noChange);
  ctx.server.del(`${base}/:activityId`, noChange);

  logger.info({ graph: config.graphUrl, version: config.graphVersion, template: config.template?.name }, 'WhatsApp channel enabled');
  options.onReady?.({ config, store, userIdOf, idle });
}
