/**
 * The CloudAdapter with the turn pipeline every channel shares, and the error handler that
 * apologises in the user's language, logs with the turn's correlation id and clears only
 * that conversation's dialog stack.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  CloudAdapter,
  type ConversationReference,
  type ConversationState,
  type Middleware,
  type StatePropertyAccessor,
  TurnContext,
  type Activity,
} from 'botbuilder';
import {
  type AuthenticateRequestResult,
  ClaimsIdentity,
  ConnectorClient,
  ConnectorFactory,
} from 'botframework-connector';
import type { DialogState } from 'botbuilder-dialogs';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Metrics } from './metrics';
import type { Translate } from '../dialogs/deps';
import { turnCorrelationId, turnLang, turnLogger } from '../dialogs/turnState';
import { TurnLockTimeoutError } from './middleware/turnLock';
import { WriteNotDurableError } from './storage/durableWrites';
import { BoundedCache, CachingBotFrameworkAuthentication, CachingConnectorFactory } from './connectorCache';
import { type ConnectorLimits, isConnectorCallError } from './connectorLimits';

export type TurnLogic = (context: TurnContext) => Promise<void>;

/** CONNECTOR_TIMEOUT_MS and CONNECTOR_RETRIES, for every Connector client the bot makes. */
export function connectorLimitsOf(config: Config): ConnectorLimits {
  return { timeoutMs: config.CONNECTOR_TIMEOUT_MS, retries: config.CONNECTOR_RETRIES };
}

export function createCloudAdapter(config: Config): CloudAdapter {
  const auth = new CachingBotFrameworkAuthentication(
    {
      MicrosoftAppId: config.MicrosoftAppId ?? '',
      MicrosoftAppPassword: config.MicrosoftAppPassword ?? '',
      MicrosoftAppType: config.MicrosoftAppId ? config.MicrosoftAppType : '',
      MicrosoftAppTenantId: config.MicrosoftAppTenantId ?? '',
    },
    256,
    connectorLimitsOf(config),
  );
  return new CloudAdapter(auth);
}

/**
 * Redis replies that mean "not now" rather than "wrong": a Cluster slot moving or its master
 * lost (MOVED, ASK, CLUSTERDOWN, TRYAGAIN), a replica or restarting node (READONLY, LOADING,
 * MASTERDOWN), writes refused for want of replicas (NOREPLICAS), a busy script (BUSY).
 * Matched case-sensitive at the start of the message, as Redis sends them, or after the "-" of
 * an error reply quoted inside a script error (older servers: "ERR Error running script … -READONLY …").
 */
const TRANSIENT_REPLY = /(?:^|-)(?:MOVED|ASK|CLUSTERDOWN|TRYAGAIN|LOADING|READONLY|MASTERDOWN|NOREPLICAS|BUSY)\b/;
/** Client-side: connection lost or refused (also mid-pipeline, as when a failover drops the connection), timeouts, ioredis giving up on a node, sentinels or the cluster. */
const TRANSIENT_CLIENT =
  /ECONNREFUSED|ECONNRESET|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|Connection is closed|Stream isn't writeable|MaxRetriesPerRequest|Command timed out|ETIMEDOUT|ClusterAllFailed|Too many Cluster redirections|Cluster isn't ready|Cluster is disconnected|Failed to refresh slots cache|None of startup nodes is available|Node is disconnected|All sentinels are unreachable|Command aborted due to connection close/i;

/**
 * Storage and lock failures: the user is told to retry, the turn is not half-done, and the
 * dialog stack is kept (installErrorHandler). Looks through wrappers (`cause`, and ioredis'
 * ClusterAllFailedError's `lastNodeError`).
 */
export function isUnavailableError(err: unknown, depth = 0): boolean {
  if (err instanceof TurnLockTimeoutError || err instanceof WriteNotDurableError) return true;
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const e = err as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown; lastNodeError?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  if (TRANSIENT_REPLY.test(message)) return true;
  if (TRANSIENT_CLIENT.test(`${String(e.name ?? '')} ${message} ${String(e.code ?? '')}`)) return true;
  return isUnavailableError(e.cause, depth + 1) || isUnavailableError(e.lastNodeError, depth + 1);
}

export function installErrorHandler(
  adapter: CloudAdapter,
  deps: { logger: Logger; metrics: Metrics; t: Translate; conversationState: ConversationState; dialogState: StatePropertyAccessor<DialogState> },
): void {
  adapter.onTurnError = async (context, error) => {
    const unavailable = isUnavailableError(error);
    const log = turnLogger(context) ?? deps.logger;
    deps.metrics.errors.inc({ kind: unavailable ? 'storage' : 'turn' });
    log.error({ err: error, correlationId: turnCorrelationId(context), unavailable }, 'turn failed');
    // When the reply itself could not be delivered, an apology would fail the same way (and
    // call a failing or silent serviceUrl once more).
    // Replies still held for an expectReplies caller describe a turn that was not saved: the
    // apology replaces them. (Channels that deliver during the turn have shown them already.)
    if (unavailable) context.bufferedReplyActivities.splice(0);
    if (!isConnectorCallError(error)) {
      try {
        await context.sendActivity(deps.t(turnLang(context), unavailable ? 'errors.unavailable' : 'errors.generic'));
      } catch (sendError) {
        log.error({ err: sendError }, 'could not send the apology');
      }
    }
    if (unavailable) return; // The store is what failed: nothing to clear, and nothing was saved.
    try {
      await deps.dialogState.delete(context);
      await deps.conversationState.saveChanges(context, true);
    } catch (clearError) {
      log.error({ err: clearError }, 'could not clear the dialog stack');
    }
  };
}

export const CONNECTOR_SECRET_HEADER = 'x-musaed-connector';

/**
 * Runs activities of the built-in channels (Direct Line, WhatsApp) through the same adapter
 * and pipeline as /api/messages, without Bot Framework auth: replies go back over the
 * Connector API to the channel's own loopback routes, signed with a shared secret header.
 */
export class InternalChannelGateway {
  private readonly auth: AuthenticateRequestResult;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly logic: TurnLogic,
    private readonly secret: string,
    limits?: ConnectorLimits,
  ) {
    const secretHeader = secret;
    class LoopbackConnectorFactory extends ConnectorFactory {
      async create(serviceUrl: string): Promise<ConnectorClient> {
        return new ConnectorClient(
          {
            signRequest: async (request) => {
              request.headers.set(CONNECTOR_SECRET_HEADER, secretHeader);
              return request;
            },
          },
          { baseUri: serviceUrl },
        );
      }
    }
    this.auth = {
      audience: '',
      callerId: '',
      claimsIdentity: new ClaimsIdentity([], true),
      // One loopback client per channel base URL, not one per turn (see connectorCache.ts).
      connectorFactory: new CachingConnectorFactory(new LoopbackConnectorFactory(), new BoundedCache(16), 'loopback', limits),
    };
  }

  /** Processes one inbound activity of a built-in channel (its serviceUrl is the channel's connector base). */
  async process(activity: Partial<Activity>): Promise<void> {
    await (this.adapter as unknown as {
      processActivity(auth: AuthenticateRequestResult, activity: Partial<Activity>, logic: TurnLogic): Promise<unknown>;
    }).processActivity(this.auth, activity, this.logic);
  }

  /** Proactive turn on a built-in channel's conversation (notifications, agent messages). */
  async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    const activity = TurnContext.applyConversationReference(
      { type: 'event', name: 'ContinueConversation' },
      reference,
      true,
    );
    await (this.adapter as unknown as {
      processActivity(auth: AuthenticateRequestResult, activity: Partial<Activity>, logic: TurnLogic): Promise<unknown>;
    }).processActivity(this.auth, activity, logic);
  }

  /** Whether a loopback Connector API call carries the secret (constant-time comparison). */
  isTrusted(headerValue: string | undefined): boolean {
    if (!headerValue) return false;
    const a = Buffer.from(headerValue);
    const b = Buffer.from(this.secret);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/**
 * Channel ids that only the built-in channels use. /api/messages refuses them, so a
 * reference with one of these ids was made by our own channel code and may be continued
 * through the gateway (which signs with the shared secret).
 */
export const INTERNAL_CHANNEL_IDS: ReadonlySet<string> = new Set(['musaed.webchat', 'whatsapp']);

/**
 * Proactive messages for any conversation reference: built-in channels through the
 * gateway, Bot Framework channels through the adapter with the bot's app id.
 */
export class ProactiveMessenger {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly gateway: InternalChannelGateway,
    private readonly appId: string,
  ) {}

  async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    if (INTERNAL_CHANNEL_IDS.has(reference.channelId ?? '')) return this.gateway.continueConversation(reference, logic);
    await this.adapter.continueConversationAsync(this.appId, reference, logic);
  }
}

export function useAll(adapter: CloudAdapter, middleware: Middleware[]): void {
  for (const m of middleware) adapter.use(m);
}
