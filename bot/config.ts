/**
 * Configuration from the environment, validated once at start-up. A wrong or missing value
 * stops the process with one line naming the variable (see formatConfigError).
 */
import { z } from 'zod';
import { parseServiceUrlPatterns } from './serviceUrl';
import { hostListProblem, redisUrlProblem } from './storage/redisUrl';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));
/** A check that explains itself ("REDIS_URL: unknown scheme …"); an unset value passes. */
const problemOf = (check: (v: string) => string | undefined) => (v: string | undefined, ctx: z.RefinementCtx) => {
  const problem = v === undefined ? undefined : check(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};
const optionalUrl = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
  .pipe(z.url().optional());

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(0, 65535).default(3978),
    HOST: z.string().min(1).default('0.0.0.0'),
    /** Base URL other processes use to reach this one (channel connectors, links). */
    PUBLIC_URL: optionalUrl,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    MicrosoftAppId: optionalString,
    MicrosoftAppPassword: optionalString,
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    MicrosoftAppTenantId: optionalString,
    /**
     * enabled: Bot Framework channels post here (credentials required in production);
     * disabled: no /api/messages route (the built-in Direct Line and WhatsApp still work);
     * unauthenticated: explicitly without credentials, even in production (private networks, load tests).
     */
    MESSAGES_ENDPOINT: z.enum(['enabled', 'disabled', 'unauthenticated']).default('enabled'),
    /** Comma-separated origins an inbound activity's serviceUrl may name (see bot/serviceUrl.ts); empty → the default per NODE_ENV. */
    ALLOWED_SERVICE_URLS: optionalString,
    /** Per attempt of a Connector API call (a reply), and how many times a 5xx/429/refused call is retried. */
    CONNECTOR_TIMEOUT_MS: int(100, 120_000).default(10_000),
    CONNECTOR_RETRIES: int(0, 5).default(1),

    /** redis://, rediss:// or redis-sentinel://host:port,host:port/masterName?db=N; empty → in-memory. */
    REDIS_URL: optionalString.superRefine(problemOf(redisUrlProblem)),
    /** Comma-separated host:port seeds; when set, Redis Cluster is used instead of REDIS_URL. */
    REDIS_CLUSTER_NODES: optionalString.superRefine(problemOf(hostListProblem)),
    REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*$/, 'letters, digits, : _ - only').default('musaed:'),
    CONVERSATION_TTL_SECONDS: int(60, 90 * 24 * 3600).default(24 * 3600),
    USER_TTL_SECONDS: int(60, 5 * 365 * 24 * 3600).default(365 * 24 * 3600),
    TURN_LOCK_TTL_MS: int(1000, 10 * 60_000).default(5_000),
    /** A turn that cannot start within this of its arrival is refused politely (the channel has given up by then). */
    TURN_LOCK_WAIT_MS: int(1000, 10 * 60_000).default(10_000),
    /** Replicas that must hold a save before it counts (WAIT, on a Cluster to the key's master); 1 with Sentinel or Cluster, 0 standalone. */
    REDIS_MIN_REPLICAS_ACK: int(0, 16).default(0),
    /** How long a save may wait for them; below the client's 3 s command timeout. */
    REDIS_WAIT_TIMEOUT_MS: int(10, 2500).default(1000),

    /** Empty → the services simulator starts in-process. */
    SERVICES_API_URL: optionalUrl,
    SERVICES_API_KEY: z.string().min(1).default('dev-services-key'),
    SERVICES_TIMEOUT_MS: int(100, 60_000).default(5000),
    SIM_OTP_CODE: z.string().regex(/^\d{4,8}$/, '4 to 8 digits').default('123456'),
    /** One-time codes one ID may ask the in-process simulator for per 15 minutes (the bench raises it). */
    SIM_CHALLENGES_PER_WINDOW: int(1, 1_000_000_000).default(5),

    /** Shared by all bot processes: signs loopback connector calls of the built-in channels. */
    CONNECTOR_SECRET: optionalString,
    MAX_BODY_BYTES: int(1024, 50 * 1024 * 1024).default(256 * 1024),
    MAX_TEXT_CHARS: int(16, 100_000).default(2000),
    SHUTDOWN_GRACE_MS: int(0, 120_000).default(10_000),
    /** After SIGTERM, /readyz answers 503 this long before the server stops listening (default 5000 in production, 0 otherwise). */
    SHUTDOWN_DRAIN_MS: int(0, 120_000).optional(),
    /** How often the Tawasul notifier's lease holder reads the services API's event feed. */
    NOTIFY_POLL_MS: int(50, 3_600_000).default(5000),
    METRICS_ENABLED: bool.default(true),

    /** HMAC key for phone numbers in Redis key names and conversation ids in the audit (required in production). */
    PII_HASH_SECRET: optionalString.pipe(z.string().min(32, 'at least 32 characters').optional()),
    /** Retention per kind of data (seconds); see README "Privacy". */
    TRANSCRIPT_TTL_SECONDS: int(60, 90 * 24 * 3600).optional(),
    DIRECTLINE_RETENTION_SECONDS: int(60, 90 * 24 * 3600).optional(),
    HANDOFF_RETENTION_SECONDS: int(60, 90 * 24 * 3600).default(2 * 24 * 3600),
    AUDIT_RETENTION_DAYS: int(1, 3650).default(180),
    /** Bearer token for /readyz and /metrics; without it they are open outside production and not served in production. */
    OPS_TOKEN: optionalString.pipe(z.string().min(32, 'at least 32 characters').optional()),
    /** Hosts the bot may fetch attachments from for /api/messages channels (comma-separated; ".example.com" = subdomains). */
    ATTACHMENT_ALLOWED_HOSTS: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((h) => h.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^\.?[A-Za-z0-9.-]+$/, 'host names, comma-separated'))),
  })
  // Extra keys (the rest of the environment) are allowed; channel modules read their own.
  .loose();

export type Config = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {}

/** One clear line naming the variable: "Invalid configuration: PORT: expected number…". */
export function formatConfigError(error: z.ZodError): string {
  return (
    'Invalid configuration: ' +
    error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
  );
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(formatConfigError(parsed.error));
  const cfg = parsed.data;
  if (cfg.MicrosoftAppId && !cfg.MicrosoftAppPassword && cfg.MicrosoftAppType !== 'UserAssignedMSI') {
    throw new ConfigError('Invalid configuration: MicrosoftAppPassword: required when MicrosoftAppId is set');
  }
  if (cfg.MicrosoftAppType === 'SingleTenant' && !cfg.MicrosoftAppTenantId) {
    throw new ConfigError('Invalid configuration: MicrosoftAppTenantId: required for SingleTenant');
  }
  if (cfg.ALLOWED_SERVICE_URLS !== undefined) {
    try {
      parseServiceUrlPatterns(cfg.ALLOWED_SERVICE_URLS);
    } catch (err) {
      throw new ConfigError(`Invalid configuration: ALLOWED_SERVICE_URLS: ${(err as Error).message}`);
    }
  }
  if (cfg.NODE_ENV === 'production') {
    const missing = productionProblems(cfg);
    if (missing.length) throw new ConfigError(`Invalid configuration: ${missing.join('; ')}`);
  }
  return cfg;
}

/**
 * Production refuses to start open: every problem at once, so one restart fixes them all.
 * (DIRECTLINE_SECRET is checked by the Direct Line channel's own loader.)
 */
function productionProblems(cfg: Config): string[] {
  const problems: string[] = [];
  if (cfg.MESSAGES_ENDPOINT === 'enabled' && !cfg.MicrosoftAppId) {
    problems.push('MicrosoftAppId: required in production (Bot Framework credentials, or set MESSAGES_ENDPOINT=disabled)');
  }
  if (!cfg.CONNECTOR_SECRET || cfg.CONNECTOR_SECRET.length < 32) {
    problems.push('CONNECTOR_SECRET: required in production, at least 32 characters, the same in every process');
  }
  if (!cfg.PUBLIC_URL) problems.push('PUBLIC_URL: required in production');
  if (!cfg.SERVICES_API_URL) problems.push('SERVICES_API_URL: required in production (the simulator is for development)');
  if (!cfg.PII_HASH_SECRET) problems.push('PII_HASH_SECRET: required in production');
  return problems;
}
