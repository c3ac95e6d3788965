/**
 * The composition root: config → logger → Redis → storage → state → recognizer → dialogs →
 * bot → adapter → server and routes. Tests call createApp with overrides to swap parts.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ConversationState, MemoryStorage, type Storage, type TurnContext, UserState } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import type { Server } from 'restify';
import type { Config } from './config';
import { createLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { createTranslator } from './i18n';
import { connectRedis, createRedis, describeRedis, duplicateRedis, isInMemory, type RedisConnection } from './storage/redisClient';
import { configureReplicaAck } from './storage/durableWrites';
import { redisSetupProblems } from './storage/redisCheck';
import { RedisStorage } from './storage/redisStorage';
import { ConversationLock, turnLockMiddleware } from './middleware/turnLock';
import { languageMiddleware } from './middleware/language';
import { presentationMiddleware } from './middleware/presentation';
import { turnStartMiddleware, type TurnPrefetch } from './middleware/turnStart';
import { turnTelemetryMiddleware } from './middleware/turnTelemetry';
import { TranscriptStore, transcriptMiddleware } from './transcript';
import { InflightTurns } from './inflight';
import { connectorLimitsOf, createCloudAdapter, installErrorHandler, InternalChannelGateway, ProactiveMessenger, type TurnLogic } from './adapter';
import { defaultAllowedServiceUrls, parseServiceUrlPatterns, serviceUrlPolicy } from './serviceUrl';
import { MusaedBot } from './bot';
import { createServer } from './server';
import type { ChannelContext } from './channels';
import { MainDialog, type CommandDetector } from '../dialogs/mainDialog';
import type { ConversationData, StateAccessors, UserProfile } from '../dialogs/deps';
import { createFeatureDialogs, type DialogFactory, type FeatureDeps } from '../dialogs/registry';
import type { Recognizer } from '../dialogs/understanding/types';
import { markErased } from '../dialogs/turnState';
import { isDeleteDataRequest } from '../dialogs/deleteDataDialog';
import { ErasureRegistry, erasureTargetOf } from './privacy/erasure';
import { DEV_PII_HASH_SECRET, pseudonymizer } from './privacy/pseudonym';
import { sealer } from './privacy/seal';
import { createAttachmentReader } from './attachmentSource';
import { MAX_ATTACHMENT_BYTES } from '../adapters/services/types';

/**
 * A channel or hub module: registers routes and middleware on the context, and may provide
 * services to the feature dialogs (e.g. the handoff hub) by returning them.
 */
export type ChannelModule = (ctx: ChannelContext) => void | Partial<FeatureDeps> | Promise<void | Partial<FeatureDeps>>;

export interface AppOverrides {
  logger?: Logger;
  recognizer?: Recognizer;
  detectCommand?: CommandDetector;
  /** Use this Redis connection (tests); the app does not close it. */
  redis?: RedisConnection;
  /** Replace the feature dialogs (tests of the core). */
  features?: DialogFactory[];
  channels?: ChannelModule[];
  /** More readiness checks for /readyz (Redis is always checked). */
  readiness?: Record<string, () => Promise<boolean>>;
  /** Dependencies /readyz reports without failing on them (see ServerDeps.dependencies). */
  dependencies?: Record<string, () => Promise<boolean>>;
}

export interface App {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  server: Server;
  redis: RedisConnection;
  storage: Storage;
  gateway: InternalChannelGateway;
  proactive: ProactiveMessenger;
  transcripts: TranscriptStore;
  erasure: ErasureRegistry;
  inflight: InflightTurns;
  /** Listens on config.PORT (0 → an ephemeral port) and resolves with the base URL. */
  listen(): Promise<string>;
  url(): string;
  /** /readyz answers 503 from now on; everything else keeps serving (the drain before close). */
  drain(): void;
  /** Stops accepting, waits for turns in flight (up to the grace period), closes Redis. */
  close(): Promise<void>;
}

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger({ level: config.LOG_LEVEL });
  const metrics = createMetrics({ defaults: config.NODE_ENV === 'production' });
  const translator = createTranslator({ onMissing: (lang, key) => logger.warn({ lang, key }, 'missing locale key') });
  const { t } = translator;
  const prefix = config.REDIS_KEY_PREFIX;
  const closers: Array<() => Promise<void>> = [];

  const inMemory = !overrides.redis && isInMemory({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES });
  if (inMemory) logger.warn('REDIS_URL is not set: state is kept in memory and is lost on restart (development only)');
  const redisSettings = { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES };
  const redis = overrides.redis ?? createRedis(redisSettings);
  const ownsRedis = !overrides.redis;
  try {
    // A failure names the Redis (host:port, Sentinel master; no password) and the socket's error.
    await connectRedis(redis, ownsRedis ? describeRedis(redisSettings) : undefined);
  } catch (err) {
    if (ownsRedis) redis.disconnect();
    throw err;
  }
  redis.on('error', (err: Error) => logger.error({ err: { message: err.message } }, 'redis error'));
  if (!inMemory) {
    configureReplicaAck(redis, { minReplicas: config.REDIS_MIN_REPLICAS_ACK, timeoutMs: config.REDIS_WAIT_TIMEOUT_MS });
    for (const problem of await redisSetupProblems(redis, { productionLike: config.NODE_ENV === 'production', minReplicas: config.REDIS_MIN_REPLICAS_ACK })) logger.warn(problem);
    const failsOver = config.REDIS_CLUSTER_NODES ? 'Cluster' : config.REDIS_URL?.startsWith('redis-sentinel:') ? 'Sentinel' : undefined;
    if (config.NODE_ENV === 'production' && failsOver && config.REDIS_MIN_REPLICAS_ACK === 0) {
      logger.warn(`REDIS_MIN_REPLICAS_ACK=0 with ${failsOver}: a failover can roll back turns the users were answered for; set it to 1`);
    }
  }
  const subscribers: RedisConnection[] = [];

  const storage: Storage = inMemory
    ? new MemoryStorage()
    : new RedisStorage(redis, {
        prefix,
        conversationTtlMs: config.CONVERSATION_TTL_SECONDS * 1000,
        userTtlMs: config.USER_TTL_SECONDS * 1000,
      });
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const state: StateAccessors = {
    profile: userState.createProperty<UserProfile>('profile'),
    conversation: conversationState.createProperty<ConversationData>('data'),
  };
  const dialogState = conversationState.createProperty<DialogState>('dialogState');

  const recognizer = overrides.recognizer;
  if (!recognizer) throw new Error('createApp: a recognizer is required');
  // The bot is built after the channel modules (they may provide services to dialogs);
  // the adapter's logic reaches it through this late-bound reference.
  let bot: MusaedBot | undefined;
  const logic: TurnLogic = async (context) => {
    if (!bot) throw new Error('bot not ready');
    await bot.run(context);
  };

  const adapter = createCloudAdapter(config);
  installErrorHandler(adapter, { logger, metrics, t, conversationState, dialogState });
  const inflight = new InflightTurns();
  const lock = new ConversationLock(redis, { prefix, ttlMs: config.TURN_LOCK_TTL_MS, waitMs: config.TURN_LOCK_WAIT_MS });
  const transcripts = new TranscriptStore(redis, { prefix, ttlMs: (config.TRANSCRIPT_TTL_SECONDS ?? config.CONVERSATION_TTL_SECONDS) * 1000, maxTextChars: config.MAX_TEXT_CHARS });
  if (!config.PII_HASH_SECRET) logger.warn('PII_HASH_SECRET is not set: using the development key for hashed ids (never in production)');
  const pseudonymize = pseudonymizer(config.PII_HASH_SECRET ?? DEV_PII_HASH_SECRET);
  // Deletion on request: the core's stores here, each channel module adds its own.
  const erasure = new ErasureRegistry(logger);
  erasure.isRequest = isDeleteDataRequest;
  erasure.register('state', async (target) => {
    const keys = [`${target.conversationKey}/`];
    if (target.userId) keys.push(`${target.channelId}/users/${target.userId}/`, `${target.conversationKey}/users/${target.userId}/`);
    await storage.delete(keys);
  });
  erasure.register('transcript', (target) => transcripts.delete(target.conversationKey));
  const eraseData = async (context: TurnContext) => {
    markErased(context);
    await erasure.eraseFor(erasureTargetOf(context.activity));
  };
  adapter.use(turnTelemetryMiddleware(logger, metrics));
  adapter.use(inflight.middleware());
  adapter.use(turnLockMiddleware(lock));
  const prefetchers: TurnPrefetch[] = [];
  adapter.use(turnStartMiddleware([userState, conversationState], prefetchers));
  adapter.use(languageMiddleware(state));
  // Before every copy of outgoing messages (transcript, inbox, relay): digits and bidi isolates.
  adapter.use(presentationMiddleware());
  adapter.use(transcriptMiddleware(transcripts, (err) => logger.warn({ err }, 'transcript not saved')));

  const gateway = new InternalChannelGateway(adapter, logic, config.CONNECTOR_SECRET ?? randomBytes(24).toString('hex'), connectorLimitsOf(config));
  const proactive = new ProactiveMessenger(adapter, gateway, config.MicrosoftAppId ?? '');

  let stopping = false;
  const server = createServer({
    logger,
    metrics,
    adapter,
    logic,
    maxBodyBytes: config.MAX_BODY_BYTES,
    onRequest: () => inflight.begin(),
    metricsEnabled: config.METRICS_ENABLED,
    readiness: { redis: async () => (await redis.ping()) === 'PONG', ...overrides.readiness },
    dependencies: overrides.dependencies,
    stopping: () => stopping,
    messagesEnabled: config.MESSAGES_ENDPOINT !== 'disabled',
    serviceUrlAllowed: serviceUrlPolicy({
      patterns: parseServiceUrlPatterns(config.ALLOWED_SERVICE_URLS ?? defaultAllowedServiceUrls(config.NODE_ENV)),
      publicUrl: config.PUBLIC_URL,
    }),
    // Ops endpoints: behind OPS_TOKEN when it is set; without it, open outside production and not served in it.
    ops: config.OPS_TOKEN ? { kind: 'token', token: config.OPS_TOKEN } : config.NODE_ENV === 'production' ? { kind: 'closed' } : { kind: 'open' },
  });
  if (config.NODE_ENV === 'production' && !config.OPS_TOKEN) logger.warn('OPS_TOKEN is not set: /readyz and /metrics are not served');
  if (config.MESSAGES_ENDPOINT === 'unauthenticated') logger.warn('MESSAGES_ENDPOINT=unauthenticated: /api/messages accepts activities without Bot Framework auth');

  let baseUrl = '';
  const channelContext: ChannelContext = {
    server,
    config,
    logger,
    metrics,
    t,
    redis,
    createSubscriber: () => {
      const sub = duplicateRedis(redis);
      subscribers.push(sub);
      return sub;
    },
    prefix,
    gateway,
    proactive,
    transcripts,
    erasure,
    pseudonymize,
    sealer: sealer(config.PII_HASH_SECRET ?? DEV_PII_HASH_SECRET),
    internalBaseUrl: () => baseUrl,
    use: (middleware) => void adapter.use(middleware),
    prefetch: (load) => void prefetchers.push(load),
    onClose: (fn) => closers.push(fn),
  };
  const provided: Partial<FeatureDeps> = {};
  for (const channel of overrides.channels ?? []) Object.assign(provided, (await channel(channelContext)) ?? {});

  const attachments = createAttachmentReader({ ownOrigins: () => [baseUrl, config.PUBLIC_URL], allowedHosts: config.ATTACHMENT_ALLOWED_HOSTS, maxBytes: MAX_ATTACHMENT_BYTES });
  const featureDeps: FeatureDeps = { redis, redisPrefix: prefix, attachments, ...provided, t, recognizer, state, eraseData };
  const mainDialog = new MainDialog(
    { t, recognizer, state, dialogState, detectCommand: overrides.detectCommand },
    createFeatureDialogs(featureDeps, overrides.features),
  );
  bot = new MusaedBot({ conversationState, userState, mainDialog, t, maxTextChars: config.MAX_TEXT_CHARS, eraseData });

  const url = () => baseUrl;
  return {
    config,
    logger,
    metrics,
    server,
    redis,
    storage,
    gateway,
    proactive,
    transcripts,
    erasure,
    inflight,
    url,
    listen: () =>
      new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(config.PORT, config.HOST, () => {
          const port = (server.address() as AddressInfo).port;
          baseUrl = `http://127.0.0.1:${port}`;
          resolve(baseUrl);
        });
      }),
    drain: () => {
      stopping = true;
    },
    async close() {
      stopping = true;
      await new Promise<void>((resolve) => {
        server.server.close(() => resolve());
        server.server.closeIdleConnections();
        void inflight.idle(config.SHUTDOWN_GRACE_MS).then(() => {
          server.server.closeAllConnections();
          resolve();
        });
      });
      for (const fn of closers.reverse()) await fn().catch((err: unknown) => logger.warn({ err }, 'close hook failed'));
      for (const s of subscribers) s.disconnect();
      if (ownsRedis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
