/**
 * A self-hosted Direct Line 3.0 endpoint, the part the official clients use
 * (botframework-directlinejs, Web Chat), as a channel module:
 *   POST /v3/directline/tokens/generate              token for a new conversation (secret, or anonymous when allowed)
 *   POST /v3/directline/tokens/refresh               the same token with a new expiry
 *   POST /v3/directline/conversations                start (or resume) the token's conversation
 *   GET  /v3/directline/conversations/:id            reconnect: a fresh streamUrl from a watermark
 *   GET  /v3/directline/conversations/:id/activities?watermark=   polling
 *   POST /v3/directline/conversations/:id/activities              send
 *   POST /v3/directline/conversations/:id/upload?userId=          send files (multipart)
 *   GET  /v3/directline/conversations/:id/stream     WebSocket (streamUrl)
 *   GET  /v3/directline/conversations/:id/files/:file?exp=&sig=   signed links to uploaded files
 *   POST /connector/directline/v3/...                the bot's replies (Connector API, loopback)
 * Conversations live in Redis (store.ts), so every process serves every conversation.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Activity, Attachment } from 'botbuilder';
import type { Request, Response } from 'restify';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { ChannelModule } from '../../bot/app';
import type { ChannelContext } from '../../bot/channels';
import { CONNECTOR_SECRET_HEADER, isUnavailableError } from '../../bot/adapter';
import { CONVERSATION_LOST_MARK } from '../../bot/bot';
import { SECRET_ANSWER_MARK } from '../../bot/privacy/mask';
import { activityProblem, ClientActivity, conversationUpdateOf, DIRECTLINE_CHANNEL_ID, echoOf, inboundOf, outboundOf } from './activities';
import { loadDirectLineConfig, type DirectLineConfig } from './config';
import { HttpProblem, readBody, readJson } from '../../bot/http/body';
import { Slots } from '../../bot/http/slots';
import { bearerOf, clientAddress, isMultipart, publicOrigin, queryOf } from './http';
import { ConversationInbox } from './inbox';
import { DirectLineStore, type ConversationMeta } from './store';
import { withFileOrigin } from './links';
import { DirectLineQuotas, QuotaExceeded, type SocketSlot } from './quotas';
import { StreamHub } from './stream';
import { attachmentKey, attachmentSignature, isChannelSecret, isValidAttachmentSignature, newConversationId, newUserId, TokenSigner, type TokenClaims } from './tokens';
import { MAX_UPLOAD_BYTES, parseUpload } from './upload';

export { loadDirectLineConfig, DirectLineConfigError, DEV_DIRECTLINE_SECRET, type DirectLineConfig } from './config';
export { TokenSigner, newConversationId, newUserId } from './tokens';
export { DirectLineStore, activityId } from './store';
export { DIRECTLINE_CHANNEL_ID, BOT_ACCOUNT } from './activities';
export { MAX_FILE_BYTES, MAX_FILES, sniffType } from './upload';
export { clientAddress } from './http';

export interface DirectLineChannelOptions {
  /** Milliseconds since the epoch; tests move it to expire tokens. */
  clock?: () => number;
  /** Receives the running channel (tests wait for background work with idle()). */
  onReady?: (channel: DirectLineChannelHandle) => void;
}

export interface DirectLineChannelHandle {
  config: DirectLineConfig;
  store: DirectLineStore;
  tokens: TokenSigner;
  /** Resolves when every activity this process accepted so far has been through the bot (or taken by another process). */
  idle(): Promise<void>;
  /** Open WebSockets on this process. */
  sockets(): number;
}

const BASE = '/v3/directline';
const CONV_ID = /^[A-Za-z0-9_-]{8,64}$/;
const STREAM_PATH = /^\/v3\/directline\/conversations\/([^/]+)\/stream$/;
const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };
const USER_ID = /^[A-Za-z0-9_.:@-]{1,64}$/;
/** Bodies of the token and conversation calls are tiny. */
const SMALL_BODY = 16 * 1024;

/** The delivery keys this channel gives the bot's activities. */
const SEND_KEY_PREFIX = 'dls-';

/** channelData.deliveryKey when it is one (a reminder's, or this channel's own). */
function deliveryKeyOf(activity: Partial<Activity>): string | undefined {
  const key = (activity.channelData as { deliveryKey?: unknown } | undefined)?.deliveryKey;
  return typeof key === 'string' && /^[\w-]{8,128}$/.test(key) ? key : undefined;
}

type Caller = { kind: 'secret' } | { kind: 'token'; claims: TokenClaims };

export function directLineChannel(options: DirectLineChannelOptions = {}): ChannelModule {
  return (ctx) => {
    registerDirectLine(ctx, loadDirectLineConfig(ctx.config as Record<string, unknown>), options);
  };
}

function registerDirectLine(ctx: ChannelContext, config: DirectLineConfig, options: DirectLineChannelOptions): void {
  const logger = ctx.logger.child({ module: 'directline' });
  if (config.devSecret) logger.warn('DIRECTLINE_SECRET is not set: using the development secret (never in production)');
  const clock = options.clock ?? Date.now;
  // Activities and uploads: DIRECTLINE_RETENTION_SECONDS, by default the conversation state's lifetime.
  const ttlMs = (ctx.config.DIRECTLINE_RETENTION_SECONDS ?? ctx.config.CONVERSATION_TTL_SECONDS) * 1000;
  const store = new DirectLineStore(ctx.redis, ctx.prefix, ttlMs, ctx.config.MAX_TEXT_CHARS, config.quotas.maxActivities);
  ctx.erasure.register('directline', async (target) => {
    if (target.channelId === DIRECTLINE_CHANNEL_ID && CONV_ID.test(target.conversationId)) await store.erase(target.conversationId);
  });
  const tokens = new TokenSigner(config.secret, clock);
  const anonymousLimiter = new RateLimiterRedis({
    storeClient: ctx.redis,
    keyPrefix: `${ctx.prefix}dl:rl:generate`,
    points: config.anonymousPerMinute,
    duration: 60,
  });
  const quotas = new DirectLineQuotas(ctx.redis, ctx.prefix, store, config.quotas, logger);
  ctx.onClose(async () => quotas.close());
  ctx.erasure.register('directline-quotas', async (target) => {
    if (target.channelId === DIRECTLINE_CHANNEL_ID && CONV_ID.test(target.conversationId)) await quotas.forget(target.conversationId);
  });
  /** Where the bot sends its replies: any process can take them, PUBLIC_URL when there is one. */
  const connectorBase = () => `${ctx.config.PUBLIC_URL?.replace(/\/+$/, '') ?? ctx.internalBaseUrl()}/connector/directline/`;

  // ---- the bot's turns: accepted into the conversation's Redis inbox before the 200, drained
  // in order by whichever process holds the conversation's claim (inbox.ts) ----
  const inbox = new ConversationInbox({
    redis: ctx.redis,
    prefix: ctx.prefix,
    ttlMs,
    leaseMs: ctx.config.TURN_LOCK_TTL_MS,
    sweepMs: config.inboxSweepMs,
    max: config.inboxMax,
    origin: () => connectorBase().replace(/\/connector\/directline\/$/, ''),
    ready: () => Boolean(ctx.config.PUBLIC_URL ?? ctx.internalBaseUrl()),
    run: (activity) => ctx.gateway.process(activity),
    logger,
    onError: () => ctx.metrics.errors.inc({ kind: 'channel' }),
  });
  ctx.erasure.register('directline-inbox', async (target) => {
    if (target.channelId === DIRECTLINE_CHANNEL_ID && CONV_ID.test(target.conversationId)) await inbox.forget(target.conversationId);
  });

  ctx.use(inbox.middleware());
  // Every bot activity of a Direct Line turn names its delivery, so the Connector route stores it
  // once (store.appendOnce) however often it arrives: the Connector client sends a refused call
  // again (CONNECTOR_RETRIES), and a reply refused because its WAIT failed (a failover) is
  // stored all the same; without the key the retry showed the reply twice.
  ctx.use({
    onTurn: async (context, next) => {
      if (context.activity.channelId === DIRECTLINE_CHANNEL_ID) {
        context.onSendActivities(async (_context, activities, send) => {
          for (const a of activities) {
            if (!deliveryKeyOf(a)) a.channelData = { ...(a.channelData as object | undefined), deliveryKey: `${SEND_KEY_PREFIX}${randomBytes(12).toString('base64url')}` };
          }
          return send();
        });
      }
      await next();
    },
  });
  inbox.start();
  /** Durable once it resolves: only then may the client hear 200. */
  const toBot = (conv: string, activity: Partial<Activity>) => inbox.accept(conv, activity);
  const idle = () => inbox.idle();
  ctx.onClose(() => inbox.close(ctx.config.SHUTDOWN_GRACE_MS));

  // ---- helpers ----
  const fail = (res: Response, status: number, code: string, message?: string) => {
    if (status === 400 || status === 413 || status === 415) ctx.metrics.errors.inc({ kind: 'bad_request' });
    res.send(status, { error: { code, message: message ?? code } });
  };

  /** Every handler: HttpProblem → its status; Redis down → 503; anything else → 500, logged. */
  const route =
    (handler: (req: Request, res: Response) => Promise<void>) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        await handler(req, res);
      } catch (err) {
        if (res.headersSent) return;
        if (err instanceof HttpProblem) {
          for (const [name, value] of Object.entries(err.headers)) res.header(name, value);
          return fail(res, err.status, err.code, err.detail);
        }
        if (isUnavailableError(err)) {
          ctx.metrics.errors.inc({ kind: 'storage' });
          logger.error({ err }, 'Direct Line: Redis unavailable');
          return fail(res, 503, 'unavailable', 'try again shortly');
        }
        ctx.metrics.errors.inc({ kind: 'channel' });
        logger.error({ err, route: req.getRoute()?.path }, 'Direct Line request failed');
        fail(res, 500, 'internal_error');
      }
    };

  /** The channel secret or a valid conversation token; 401 without credentials, 403 for a bad or expired one. */
  const authenticate = (req: IncomingMessage): Caller => {
    const bearer = bearerOf(req);
    if (!bearer) throw new HttpProblem(401, 'unauthorized', 'send Authorization: Bearer <token>');
    if (isChannelSecret(bearer, config.secret)) return { kind: 'secret' };
    const check = tokens.verify(bearer);
    if (!check.ok) throw new HttpProblem(403, check.reason === 'expired' ? 'token_expired' : 'forbidden', check.reason === 'expired' ? 'the token has expired' : 'invalid token');
    return { kind: 'token', claims: check.claims };
  };

  /** The conversation of the URL, which a token must be bound to (403) and which must exist (404). */
  const conversationOf = async (req: Request, caller: Caller): Promise<{ conv: string; meta: ConversationMeta }> => {
    const conv = String(req.params.conversationId ?? '');
    if (caller.kind === 'token' && caller.claims.conv !== conv) throw new HttpProblem(403, 'forbidden', 'the token is for another conversation');
    const meta = CONV_ID.test(conv) ? await store.meta(conv) : undefined;
    if (!meta) throw new HttpProblem(404, 'not_found', 'unknown conversation');
    return { conv, meta };
  };

  const watermarkOf = (req: IncomingMessage): number => {
    const raw = queryOf(req).get('watermark') ?? '';
    if (raw === '') return 0;
    if (!/^\d{1,9}$/.test(raw)) throw new HttpProblem(400, 'bad_watermark', 'watermark must be a number');
    return Number(raw);
  };

  const issue = (conv: string, user: string, started = false) => ({ token: tokens.sign({ conv, user, ttlSeconds: config.tokenTtlSeconds, started }), expires_in: config.tokenTtlSeconds });
  /** The caller's token again (same expiry), now saying its conversation is under way. */
  const startedToken = (claims: TokenClaims) => {
    const ttlSeconds = Math.max(1, claims.exp - tokens.now());
    return { token: tokens.sign({ conv: claims.conv, user: claims.user, ttlSeconds, started: true }), expires_in: ttlSeconds };
  };

  const streamUrl = (req: IncomingMessage, conv: string, user: string, watermark?: number) => {
    const origin = publicOrigin(req, ctx.config.PUBLIC_URL).replace(/^http/, 'ws');
    const t = tokens.sign({ conv, user, scope: 'stream', ttlSeconds: Math.min(config.tokenTtlSeconds, 300) });
    return `${origin}${BASE}/conversations/${conv}/stream?t=${t}${watermark ? `&watermark=${watermark}` : ''}`;
  };

  /** A user id a secret holder chose (validated), else a new one. */
  const userFromBody = (body: unknown): string => {
    const id = (body as { user?: { id?: unknown }; User?: { Id?: unknown } } | undefined)?.user?.id ?? (body as { User?: { Id?: unknown } } | undefined)?.User?.Id;
    if (id === undefined || id === null || id === '') return newUserId();
    if (typeof id !== 'string' || !USER_ID.test(id)) throw new HttpProblem(400, 'bad_user', 'user.id: letters, digits and . _ : @ - only, up to 64');
    return id;
  };

  const localeFromBody = (body: unknown): string | undefined => {
    const locale = (body as { locale?: unknown } | undefined)?.locale;
    return typeof locale === 'string' && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(locale) ? locale : undefined;
  };

  // ---- tokens ----
  ctx.server.post(`${BASE}/tokens/generate`, route(async (req, res) => {
    const bearer = bearerOf(req);
    let user: string;
    if (bearer) {
      if (!isChannelSecret(bearer, config.secret)) throw new HttpProblem(403, 'forbidden', 'only the channel secret can generate tokens');
      user = userFromBody(await readJson(req, SMALL_BODY, { optional: true }));
    } else {
      if (!config.allowAnonymous) throw new HttpProblem(401, 'unauthorized', 'send Authorization: Bearer <secret>');
      try {
        await anonymousLimiter.consume(clientAddress(req, config.trustedProxies));
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        res.header('retry-after', String(Math.ceil(err.msBeforeNext / 1000)));
        throw new HttpProblem(429, 'too_many_requests', 'too many new conversations from this address; try again shortly');
      }
      // Anonymous callers never choose their user id: it keys the bot's user state.
      user = newUserId();
    }
    const conv = newConversationId();
    res.send(200, { conversationId: conv, ...issue(conv, user) });
  }));

  ctx.server.post(`${BASE}/tokens/refresh`, route(async (req, res) => {
    const caller = authenticate(req);
    if (caller.kind !== 'token') throw new HttpProblem(403, 'forbidden', 'refresh takes a token, not the secret');
    const { conv, user } = caller.claims;
    // A token from before the conversation started learns here that it did (one read, on refresh only).
    const started = caller.claims.started === true || (CONV_ID.test(conv) && (await store.meta(conv)) !== undefined);
    res.send(200, { conversationId: conv, ...issue(conv, user, started) });
  }));

  // ---- conversations ----
  ctx.server.post(`${BASE}/conversations`, route(async (req, res) => {
    const caller = authenticate(req);
    const body = await readJson(req, SMALL_BODY, { optional: true });
    const conv = caller.kind === 'token' ? caller.claims.conv : newConversationId();
    const user = caller.kind === 'token' ? caller.claims.user : userFromBody(body);
    const locale = localeFromBody(body);
    const created = await store.create(conv, { user, ...(locale ? { locale } : {}), createdAt: new Date(clock()).toISOString() });
    const existing = created ? undefined : await store.meta(conv);
    if (!created && !existing) throw new HttpProblem(404, 'not_found', 'unknown conversation');
    // The token says the conversation was under way, yet Redis had nothing of it (reset, or an
    // older snapshot): the user is told before the welcome (bot/bot.ts). Not after an erasure
    // on request.
    const lost = created && caller.kind === 'token' && caller.claims.started === true && !(await store.erased(conv));
    // Tokens from here on say the conversation started, so a later loss of its data is noticed.
    const token = caller.kind === 'token' ? startedToken(caller.claims) : issue(conv, existing?.user ?? user, true);
    if (created) {
      if (lost) logger.warn({ conversation: conv }, 'Direct Line conversation under way had no data in Redis (reset or older snapshot): started again, the user is told');
      else logger.info({ conversation: conv }, 'Direct Line conversation started');
      const update = conversationUpdateOf(conv, user, connectorBase(), locale);
      await toBot(conv, lost ? { ...update, channelData: { [CONVERSATION_LOST_MARK]: true } } : update);
    }
    res.send(created ? 201 : 200, { conversationId: conv, ...token, streamUrl: streamUrl(req, conv, existing?.user ?? user), referenceGrammarId: '' });
  }));

  ctx.server.get(`${BASE}/conversations/:conversationId`, route(async (req, res) => {
    const caller = authenticate(req);
    const { conv, meta } = await conversationOf(req, caller);
    const watermark = watermarkOf(req);
    const token = caller.kind === 'token' ? startedToken(caller.claims) : issue(conv, meta.user, true);
    res.send(200, { conversationId: conv, ...token, streamUrl: streamUrl(req, conv, meta.user, watermark), referenceGrammarId: '' });
  }));

  ctx.server.get(`${BASE}/conversations/:conversationId/activities`, route(async (req, res) => {
    const { conv } = await conversationOf(req, authenticate(req));
    const page = await store.since(conv, watermarkOf(req));
    res.send(200, { activities: withFileOrigin(page.activities, publicOrigin(req, ctx.config.PUBLIC_URL)), watermark: String(page.watermark) });
  }));

  ctx.server.post(`${BASE}/conversations/:conversationId/activities`, route(async (req, res) => {
    const caller = authenticate(req);
    const { conv, meta } = await conversationOf(req, caller);
    const parsed = ClientActivity.safeParse(await readJson(req, ctx.config.MAX_BODY_BYTES));
    if (!parsed.success) throw new HttpProblem(400, 'invalid_activity', activityProblem(parsed.error));
    const posted = parsed.data;
    // The user's typing is not stored, and not sent to the bot (each would be a turn under the conversation lock).
    if (posted.type === 'typing') {
      res.send(200, { id: `${conv}|typing-${randomBytes(4).toString('hex')}` });
      return;
    }
    await quotas.admitMessage(conv);
    const user = caller.kind === 'token' ? caller.claims.user : posted.from?.id && USER_ID.test(posted.from.id) ? posted.from.id : meta.user;
    const echo = echoOf(posted, { conv, user, locale: meta.locale });
    await inbox.admit(conv);
    // The list keeps the text masked (the bot gets it in clear); at a code step every short number is the code.
    const { id } = await store.append(conv, echo, { mask: { codeStep: await store.expectingSecret(conv) } });
    await toBot(conv, inboundOf(echo, id, connectorBase()));
    res.send(200, { id });
  }));

  // ---- files ----
  const fileKey = attachmentKey(config.secret);
  const uploadSlots = new Slots(config.concurrentUploads);
  const fileLink = (origin: string, conv: string, fileId: string) => {
    const exp = clock() + ttlMs;
    return `${origin}${BASE}/conversations/${conv}/files/${fileId}?exp=${exp}&sig=${attachmentSignature(fileKey, conv, fileId, exp)}`;
  };

  ctx.server.post(`${BASE}/conversations/:conversationId/upload`, route(async (req, res) => {
    const caller = authenticate(req);
    const { conv, meta } = await conversationOf(req, caller);
    if (!isMultipart(req)) throw new HttpProblem(415, 'unsupported_media_type', 'send the files as multipart/form-data');
    await quotas.admitUpload(conv, Number(req.headers['content-length']));
    // Each upload is read whole (up to 25 MB) before it is parsed and charged: a bounded number at once per process.
    const release = uploadSlots.tryTake();
    if (!release) throw new HttpProblem(429, 'busy', 'too many uploads in progress; try again shortly', { 'retry-after': '1' });
    try {
      await readAndStoreUpload(req, res, conv, meta, caller);
    } finally {
      release();
    }
  }));

  async function readAndStoreUpload(req: Request, res: Response, conv: string, meta: ConversationMeta, caller: Caller): Promise<void> {
    const upload = await parseUpload(await readBody(req, MAX_UPLOAD_BYTES, { deadlineMs: config.uploadReadMs }), String(req.headers['content-type']));
    const parsed = ClientActivity.safeParse(upload.activity ?? { type: 'message' });
    if (!parsed.success) throw new HttpProblem(400, 'invalid_activity', activityProblem(parsed.error));
    if (parsed.data.type !== 'message') throw new HttpProblem(400, 'invalid_activity', 'type: files go with a message');
    const queryUser = queryOf(req).get('userId') ?? '';
    const user = caller.kind === 'token' ? caller.claims.user : USER_ID.test(queryUser) ? queryUser : meta.user;
    await inbox.admit(conv);
    await quotas.admitMessage(conv);
    await quotas.chargeUpload(conv, upload.files.reduce((n, f) => n + f.data.length, 0));

    // The page's links are stored as paths: each reader sees them on its own origin (links.ts).
    const origin = '';
    const botOrigin = connectorBase().replace(/\/connector\/directline\/$/, '');
    const forPage: Attachment[] = [];
    const forBot: Attachment[] = [];
    for (const file of upload.files) {
      const fileId = randomBytes(12).toString('base64url');
      await store.saveFile(conv, fileId, { data: file.data, contentType: file.contentType, name: file.name });
      forPage.push({ contentType: file.contentType, name: file.name, contentUrl: fileLink(origin, conv, fileId) });
      forBot.push({ contentType: file.contentType, name: file.name, contentUrl: fileLink(botOrigin, conv, fileId) });
    }
    const echo = echoOf(parsed.data, { conv, user, locale: meta.locale, attachments: forPage });
    const { id } = await store.append(conv, echo);
    logger.info({ conversation: conv, files: upload.files.length, bytes: upload.files.reduce((n, f) => n + f.data.length, 0) }, 'Direct Line upload');
    await toBot(conv, inboundOf(echo, id, connectorBase(), forBot));
    res.send(200, { id });
  }

  ctx.server.get(`${BASE}/conversations/:conversationId/files/:fileId`, route(async (req, res) => {
    const conv = String(req.params.conversationId ?? '');
    const fileId = String(req.params.fileId ?? '');
    const q = queryOf(req);
    if (!CONV_ID.test(conv) || !isValidAttachmentSignature(fileKey, conv, fileId, Number(q.get('exp')), q.get('sig') ?? '', clock())) {
      throw new HttpProblem(403, 'forbidden', 'invalid or expired link');
    }
    const file = await store.file(conv, fileId);
    if (!file) throw new HttpProblem(404, 'not_found', 'the file is no longer kept');
    res.writeHead(200, {
      'content-type': file.contentType,
      'content-length': String(file.data.length),
      'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, max-age=3600',
    });
    res.end(file.data);
  }));

  // ---- the bot's replies: Connector API calls on the loopback ----
  const connector =
    (handler: (req: Request, res: Response, conv: string) => Promise<void>) =>
    route(async (req, res) => {
      if (!ctx.gateway.isTrusted(req.header(CONNECTOR_SECRET_HEADER))) throw new HttpProblem(401, 'unauthorized');
      const conv = String(req.params.conversationId ?? '');
      if (!CONV_ID.test(conv)) throw new HttpProblem(404, 'not_found', 'unknown conversation');
      if (!(await store.meta(conv))) {
        if (!(await store.erased(conv))) throw new HttpProblem(404, 'not_found', 'unknown conversation');
        // Erased on request in this turn: the confirmation reaches open sockets, and nothing is stored again.
        const activity = (await readJson(req, ctx.config.MAX_BODY_BYTES)) as Partial<Activity>;
        const id = `${conv}|gone-${randomBytes(4).toString('hex')}`;
        if (activity && typeof activity === 'object') await store.publish(conv, { ephemeral: { ...outboundOf(activity, conv), id } });
        res.send(200, { id });
        return;
      }
      await handler(req, res, conv);
    });
  const onReply = connector(async (req, res, conv) => {
    const activity = (await readJson(req, ctx.config.MAX_BODY_BYTES)) as Partial<Activity>;
    if (!activity || typeof activity !== 'object' || typeof activity.type !== 'string') throw new HttpProblem(400, 'invalid_activity', 'type: required');
    const out = outboundOf(activity, conv);
    if (activity.type === 'typing') {
      // Passing signals are not kept: only open sockets see them.
      const id = `${conv}|typing-${randomBytes(4).toString('hex')}`;
      await store.publish(conv, { ephemeral: { ...out, id } });
      res.send(200, { id });
      return;
    }
    if (activity.type === 'message') await store.setExpectingSecret(conv, activity.channelData?.[SECRET_ANSWER_MARK] === true);
    const deliveryKey = deliveryKeyOf(activity);
    const repliedTo = typeof activity.replyToId === 'string' ? activity.replyToId : undefined;
    const { id } = deliveryKey
      ? await store.appendOnce(conv, out, deliveryKey, { repliedTo })
      : await store.append(conv, out, { repliedTo });
    res.send(200, { id });
  });
  const connectorBasePath = '/connector/directline/v3/conversations/:conversationId/activities';
  ctx.server.post(connectorBasePath, onReply);
  ctx.server.post(`${connectorBasePath}/:activityId`, onReply);
  // Sent activities are not edited or deleted on the page: acknowledged, nothing to do.
  const noChange = connector(async (req, res) => {
    res.send(200, { id: String(req.params.activityId ?? '') });
  });
  ctx.server.put(`${connectorBasePath}/:activityId`, noChange);
  ctx.server.del(`${connectorBasePath}/:activityId`, noChange);

  // ---- the WebSocket (streamUrl) ----
  const hub = new StreamHub(store, ctx.createSubscriber(), logger, config.heartbeatMs);
  const refuse = (socket: Duplex, status: number, problem?: HttpProblem) => {
    const body = problem ? JSON.stringify({ error: { code: problem.code, message: problem.detail ?? problem.code } }) : '';
    const headers = Object.entries({ ...(problem ? { 'Content-Type': 'application/json' } : {}), ...problem?.headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined); // a client that drops mid-handshake must not crash the process
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = STREAM_PATH.exec(url.pathname);
    if (!m) {
      // Not ours: leave it to another upgrade listener, or close it if there is none.
      if (ctx.server.listenerCount('upgrade') === 1) refuse(socket, 404);
      return;
    }
    const conv = decodeURIComponent(m[1]!);
    // Browsers cannot set headers on a WebSocket: the stream token rides in the URL (t=).
    const check = tokens.verify(url.searchParams.get('t') ?? '', 'stream');
    if (!check.ok || check.claims.conv !== conv) return refuse(socket, 403);
    const raw = url.searchParams.get('watermark') ?? '';
    if (raw !== '' && !/^\d{1,9}$/.test(raw)) return refuse(socket, 400);
    let slot: SocketSlot;
    try {
      if (!CONV_ID.test(conv) || !(await store.meta(conv))) return refuse(socket, 404);
      slot = await quotas.acquireSocket(conv);
    } catch (err) {
      if (err instanceof QuotaExceeded) return refuse(socket, 429, err);
      logger.error({ err }, 'Direct Line: Redis unavailable at WebSocket open');
      return refuse(socket, 503);
    }
    // The raw socket closes with the WebSocket, or alone when the handshake fails: either frees the slot
    // (a client gone while the slot was being taken frees it now, or the lease would be refreshed forever).
    if (socket.destroyed) return slot.release();
    socket.once('close', () => slot.release());
    hub.accept(req, socket, head, conv, raw === '' ? 0 : Number(raw), publicOrigin(req, ctx.config.PUBLIC_URL));
  };
  ctx.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void onUpgrade(req, socket, head));
  ctx.onClose(() => hub.close());

  logger.info({ anonymous: config.allowAnonymous, channelId: DIRECTLINE_CHANNEL_ID }, 'Direct Line channel enabled');
  options.onReady?.({ config, store, tokens, idle, sockets: () => hub.size });
}
