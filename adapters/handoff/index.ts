/**
 * The contact-center handoff as a channel module: the agent hub (queue, claims, relay,
 * ratings in Redis), the console and its API (/agent, /api/agent/*), the gate middleware
 * that keeps the bot quiet while an agent holds a conversation, and the timeout sweeper.
 * Returns { handoff: hub } for the handoff dialog.
 */
import type { ChannelModule } from '../../bot/app';
import { isOwnStoredAttachment } from '../../bot/attachmentSource';
import { AgentAuth } from './auth';
import { type HandoffConfig, loadHandoffConfig } from './config';
import { handoffGate, prefetchHandoffRecord } from './gate';
import { AgentHub } from './hub';
import { registerAgentRoutes } from './routes';

export { AgentHub, ClaimConflictError, HANDOFF_MARK, idOfKey, keyOfId, keyOfReference } from './hub';
export { AgentAuth, DEMO_AGENT, hashPassword, verifyPassword } from './auth';
export { loadHandoffConfig, type HandoffConfig } from './config';
export { handoffGate, parseRating } from './gate';
export type * from './types';

export interface HandoffModuleOptions {
  /** Overrides of the HANDOFF_* / AGENT_* settings read from the environment (tests). */
  config?: Partial<HandoffConfig>;
  /** Where the console's files are (default web/agent). */
  staticDir?: string;
  /** Failed sign-ins allowed per username and address in 15 minutes (default 10). */
  loginAttempts?: number;
  /** Receives the sign-in checker once built (tests: its hashing counts). */
  onAuth?: (auth: AgentAuth) => void;
  /** Receives the hub once built (tests, bench). */
  onHub?: (hub: AgentHub) => void;
}

export function handoffModule(options: HandoffModuleOptions = {}): ChannelModule {
  return (ctx) => {
    const config = loadHandoffConfig(ctx.config as Record<string, unknown>, options.config);
    const logger = ctx.logger.child({ module: 'handoff' });
    const hub = new AgentHub({
      redis: ctx.redis,
      prefix: ctx.prefix,
      config,
      t: ctx.t,
      proactive: ctx.proactive,
      transcripts: ctx.transcripts,
      logger,
      metrics: ctx.metrics,
      maxTextChars: ctx.config.MAX_TEXT_CHARS,
      pseudonymize: ctx.pseudonymize,
      sealer: ctx.sealer,
      retentionSeconds: ctx.config.HANDOFF_RETENTION_SECONDS,
      auditRetentionDays: ctx.config.AUDIT_RETENTION_DAYS,
      isOwnAttachment: (url) => isOwnStoredAttachment(url, [ctx.internalBaseUrl(), ctx.config.PUBLIC_URL]),
    });
    ctx.erasure.register('handoff', (target) => hub.erase(target.conversationKey));
    const auth = new AgentAuth(ctx.redis, {
      credentials: config.credentials,
      apiKeys: config.apiKeys,
      sessionTtlSeconds: config.sessionTtlSeconds,
      production: config.production,
      prefix: ctx.prefix,
      logger,
      maxConcurrentHashes: config.loginConcurrentHashes,
    });
    options.onAuth?.(auth);
    const routes = registerAgentRoutes({
      server: ctx.server,
      hub,
      auth,
      subscriber: ctx.createSubscriber(),
      redis: ctx.redis,
      prefix: ctx.prefix,
      loginAttempts: options.loginAttempts ?? config.loginAttempts,
      loginAddressAttempts: config.loginAddressAttempts,
      trustedProxies: config.trustedProxies,
      logger,
      staticDir: options.staticDir,
    });
    ctx.prefetch(prefetchHandoffRecord(hub));
    ctx.use(handoffGate({ hub, t: ctx.t, logger, isErasureRequest: (text) => ctx.erasure.isRequest(text) }));

    // Timeouts: every process runs the sweeper; a Redis lock lets one of them work per round.
    const sweeper = setInterval(() => {
      hub.sweep().catch((err: unknown) => logger.warn({ err }, 'handoff sweep failed'));
    }, config.sweepMs);
    sweeper.unref();
    ctx.onClose(async () => {
      clearInterval(sweeper);
      routes.close();
    });
    options.onHub?.(hub);
    return { handoff: hub };
  };
}
