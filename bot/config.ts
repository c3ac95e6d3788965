/**
 * Configuration from the environment, validated once at start-up. A wrong or missing value
 * stops the process with one line naming the variable (see formatConfigError).
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));
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

    /** redis://, rediss:// or redis-sentinel://host:port,host:port/masterName?db=N; empty → in-memory. */
    REDIS_URL: optionalString,
    /** Comma-separated host:port seeds; when set, Redis Cluster is used instead of REDIS_URL. */
    REDIS_CLUSTER_NODES: optionalString,
    REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*$/, 'letters, digits, : _ - only').default('musaed:'),
    CONVERSATION_TTL_SECONDS: int(60, 90 * 24 * 3600).default(24 * 3600),
    USER_TTL_SECONDS: int(60, 5 * 365 * 24 * 3600).default(365 * 24 * 3600),
    TURN_LOCK_TTL_MS: int(1000, 10 * 60_000).default(30_000),
    TURN_LOCK_WAIT_MS: int(1000, 10 * 60_000).default(60_000),

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
    /** How often the Tawasul notifier's lease holder reads the services API's event feed. */
    NOTIFY_POLL_MS: int(50, 3_600_000).default(5000),
    METRICS_ENABLED: bool.default(true),
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
  return cfg;
}
