/**
 * Direct Line settings from the environment (the core's Config lets extra keys through).
 * The channel always runs: outside production it works with no settings at all (a fixed
 * development secret, with a warning), in production it refuses to start without a secret.
 */
import { z } from 'zod';
import { ConfigError, formatConfigError } from '../../bot/config';
import { trustedProxiesOf } from '../../bot/http/clientAddress';

/** Used only when NODE_ENV is not production; anyone can read it here, so it protects nothing. */
export const DEV_DIRECTLINE_SECRET = 'musaed-development-directline-secret-not-for-production';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const optionalBool = optionalString.pipe(
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .optional(),
);

const DirectLineEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** The channel secret: Bearer credential for /tokens/generate and the key tokens are signed with. */
  DIRECTLINE_SECRET: optionalString.pipe(z.string().min(32, 'at least 32 characters').optional()),
  /** Whether /tokens/generate answers without the secret (the page at / needs it); default: not in production. */
  DIRECTLINE_ALLOW_ANONYMOUS: optionalBool,
  DIRECTLINE_TOKEN_TTL_SECONDS: int(60, 24 * 3600).default(30 * 60),
  /** Anonymous tokens per client address per minute. */
  DIRECTLINE_ANONYMOUS_PER_MINUTE: int(1, 10_000).default(20),
  /** Uploads read into memory at once in this process, all conversations together; more get 429 at once. */
  DIRECTLINE_CONCURRENT_UPLOADS: int(1, 1000).default(4),
  /** An upload's body must arrive within this many seconds (a slow one would hold a reading place). */
  DIRECTLINE_UPLOAD_READ_SECONDS: int(1, 3600).default(120),
  /** Messages (and uploads) a conversation may post per minute, and per 10 seconds. */
  DIRECTLINE_MESSAGES_PER_MINUTE: int(1, 100_000).default(30),
  DIRECTLINE_MESSAGE_BURST: int(1, 100_000).default(10),
  /** Uploaded megabytes a conversation may store per hour and per day (fractions allowed). */
  DIRECTLINE_UPLOAD_MB_PER_HOUR: z.coerce.number().positive().max(100_000).default(25),
  DIRECTLINE_UPLOAD_MB_PER_DAY: z.coerce.number().positive().max(100_000).default(50),
  /** Open WebSockets per conversation (all processes together), and on one process in all. */
  DIRECTLINE_SOCKETS_PER_CONVERSATION: int(1, 1000).default(3),
  DIRECTLINE_MAX_SOCKETS: int(1, 1_000_000).default(10_000),
  /** Activities kept per conversation (the user's and the bot's); past it the oldest are trimmed. */
  DIRECTLINE_MAX_ACTIVITIES: int(10, 1_000_000).default(200),
  /** Seconds between WebSocket heartbeats (an empty frame and a ping). */
  DIRECTLINE_HEARTBEAT_SECONDS: int(1, 600).default(20),
  /** Messages a conversation may have waiting for the bot; more are refused with 429. */
  DIRECTLINE_INBOX_MAX: int(1, 10_000).default(20),
  /** How often each process looks for conversation inboxes whose drainer died. */
  DIRECTLINE_INBOX_SWEEP_MS: int(100, 60_000).default(1000),
});

export interface DirectLineConfig {
  secret: string;
  /** True when the secret is the development default (logged as a warning at start). */
  devSecret: boolean;
  allowAnonymous: boolean;
  tokenTtlSeconds: number;
  anonymousPerMinute: number;
  heartbeatMs: number;
  /** How many proxies in front of us append to X-Forwarded-For (0: use the socket's address). */
  trustedProxies: number;
  /** Uploads read at once in this process (DIRECTLINE_CONCURRENT_UPLOADS). */
  concurrentUploads: number;
  /** How long an upload's body may take to arrive (DIRECTLINE_UPLOAD_READ_SECONDS), in ms. */
  uploadReadMs: number;
  quotas: DirectLineQuotaConfig;
  inboxMax: number;
  inboxSweepMs: number;
}

export interface DirectLineQuotaConfig {
  messagesPerMinute: number;
  /** Messages per 10 seconds. */
  messageBurst: number;
  uploadBytesPerHour: number;
  uploadBytesPerDay: number;
  socketsPerConversation: number;
  maxSocketsPerProcess: number;
  maxActivities: number;
}

const MB = 1024 * 1024;

export class DirectLineConfigError extends ConfigError {}

/** TRUSTED_PROXIES (shared with every per-address limit), else DIRECTLINE_TRUSTED_PROXIES. */
function proxiesOf(env: Record<string, unknown>): number {
  try {
    return trustedProxiesOf(env);
  } catch (err) {
    throw new DirectLineConfigError((err as Error).message);
  }
}

export function loadDirectLineConfig(env: Record<string, unknown>): DirectLineConfig {
  const parsed = DirectLineEnv.safeParse(env);
  if (!parsed.success) throw new DirectLineConfigError(formatConfigError(parsed.error));
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production && !e.DIRECTLINE_SECRET) {
    throw new DirectLineConfigError('Invalid configuration: DIRECTLINE_SECRET: required in production');
  }
  if (production && e.DIRECTLINE_SECRET === DEV_DIRECTLINE_SECRET) {
    throw new DirectLineConfigError('Invalid configuration: DIRECTLINE_SECRET: the development default cannot be used in production');
  }
  return {
    secret: e.DIRECTLINE_SECRET ?? DEV_DIRECTLINE_SECRET,
    devSecret: !e.DIRECTLINE_SECRET,
    allowAnonymous: e.DIRECTLINE_ALLOW_ANONYMOUS ?? !production,
    tokenTtlSeconds: e.DIRECTLINE_TOKEN_TTL_SECONDS,
    anonymousPerMinute: e.DIRECTLINE_ANONYMOUS_PER_MINUTE,
    heartbeatMs: e.DIRECTLINE_HEARTBEAT_SECONDS * 1000,
    trustedProxies: proxiesOf(env),
    concurrentUploads: e.DIRECTLINE_CONCURRENT_UPLOADS,
    uploadReadMs: e.DIRECTLINE_UPLOAD_READ_SECONDS * 1000,
    quotas: {
      messagesPerMinute: e.DIRECTLINE_MESSAGES_PER_MINUTE,
      messageBurst: e.DIRECTLINE_MESSAGE_BURST,
      uploadBytesPerHour: Math.floor(e.DIRECTLINE_UPLOAD_MB_PER_HOUR * MB),
      uploadBytesPerDay: Math.floor(e.DIRECTLINE_UPLOAD_MB_PER_DAY * MB),
      socketsPerConversation: e.DIRECTLINE_SOCKETS_PER_CONVERSATION,
      maxSocketsPerProcess: e.DIRECTLINE_MAX_SOCKETS,
      maxActivities: e.DIRECTLINE_MAX_ACTIVITIES,
    },
    inboxMax: e.DIRECTLINE_INBOX_MAX,
    inboxSweepMs: e.DIRECTLINE_INBOX_SWEEP_MS,
  };
}
