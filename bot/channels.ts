/**
 * What a channel module (Direct Line, WhatsApp, the agent hub) gets from the composition
 * root to register its routes and reach the bot. Channel modules never import dialogs.
 */
import type { Middleware } from 'botbuilder';
import type { Server } from 'restify';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Metrics } from './metrics';
import type { RedisConnection } from './storage/redisClient';
import type { InternalChannelGateway, ProactiveMessenger } from './adapter';
import type { Translate } from '../dialogs/deps';
import type { TranscriptStore } from './transcript';
import type { TurnPrefetch } from './middleware/turnStart';
import type { ErasureRegistry } from './privacy/erasure';
import type { Pseudonymize } from './privacy/pseudonym';
import type { Sealer } from './privacy/seal';

export interface ChannelContext {
  server: Server;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  t: Translate;
  /** Shared connection for commands (not for SUBSCRIBE). */
  redis: RedisConnection;
  /** A new connection for pub/sub; closed with the app. */
  createSubscriber(): RedisConnection;
  /** Key prefix for everything this app writes to Redis. */
  prefix: string;
  gateway: InternalChannelGateway;
  proactive: ProactiveMessenger;
  transcripts: TranscriptStore;
  /** Deletion on request: a module that keeps a user's data registers how to delete it. */
  erasure: ErasureRegistry;
  /** HMAC (PII_HASH_SECRET) for identifiers that must not appear in key names in clear. */
  pseudonymize: Pseudonymize;
  /** Encrypts personal values kept for an audited reveal (PII_HASH_SECRET-derived key). */
  sealer: Sealer;
  /** http://127.0.0.1:<port> of this process, known once it listens. */
  internalBaseUrl(): string;
  /** Adds middleware after the core's (telemetry, lock, language, transcript). */
  use(middleware: Middleware): void;
  /** Starts a read at the start of every turn (inside the lock), alongside the state reads. */
  prefetch(load: TurnPrefetch): void;
  /** Runs on shutdown, before Redis closes. */
  onClose(fn: () => Promise<void>): void;
}
