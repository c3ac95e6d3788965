/**
 * Handoff settings from the environment (the core's Config lets extra keys through).
 * A wrong value stops start-up with one line naming the variable.
 */
import { ConfigError, formatConfigError } from '../../bot/config';
import { trustedProxiesOf } from '../../bot/http/clientAddress';
import { z } from 'zod';
import type { HandoffMode } from './types';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const HandoffEnv = z.object({
  HANDOFF_MODE: z.enum(['hub', 'protocol']).default('hub'),
  /** "Sun-Thu 08:00-20:00; Sat 10:00-14:00"; empty or "always" → around the clock. */
  HANDOFF_HOURS: z.string().default(''),
  HANDOFF_TZ: z.string().default('Asia/Riyadh'),
  /** Average handle time per conversation, for the estimated wait. */
  HANDOFF_AVG_HANDLE_SECONDS: int(10, 24 * 3600).default(300),
  /** An unclaimed conversation waiting longer than this is offered a Tawasul request. */
  HANDOFF_MAX_WAIT_SECONDS: int(10, 7 * 24 * 3600).default(900),
  /** A claimed conversation idle (no message either way) longer than this goes back to the queue. */
  HANDOFF_IDLE_SECONDS: int(10, 7 * 24 * 3600).default(600),
  HANDOFF_SWEEP_MS: int(200, 3_600_000).default(15_000),
  /** "username:<scrypt hash>:Display name,…" (hash with `npx tsx adapters/handoff/hashPassword.ts <password>`). */
  AGENT_CREDENTIALS: z.string().default(''),
  /** "agentId:<key>:Display name,…" for programmatic agents / contact-center integrations. */
  AGENT_API_KEYS: z.string().default(''),
  AGENT_SESSION_TTL_SECONDS: int(60, 7 * 24 * 3600).default(8 * 3600),
  /** How long an agent counts as online after the last heartbeat (the console beats every 20 s). */
  AGENT_PRESENCE_SECONDS: int(10, 3600).default(60),
  /** Failed sign-ins per client address and username in 15 minutes; then that address (only) waits. */
  AGENT_LOGIN_ATTEMPTS: int(1, 10_000).default(10),
  /** Sign-in attempts per client address in 15 minutes, any username. */
  AGENT_LOGIN_ADDRESS_ATTEMPTS: int(1, 100_000).default(30),
  /** Password hashes running at once (each holds a worker-pool thread); more sign-ins get 503 at once. */
  AGENT_LOGIN_CONCURRENT_HASHES: int(1, 64).default(2),
});

export interface HandoffConfig {
  mode: HandoffMode;
  hours: string;
  timeZone: string;
  avgHandleSeconds: number;
  maxWaitSeconds: number;
  idleSeconds: number;
  sweepMs: number;
  credentials: string;
  apiKeys: string;
  sessionTtlSeconds: number;
  presenceSeconds: number;
  loginAttempts: number;
  loginAddressAttempts: number;
  loginConcurrentHashes: number;
  /** Reverse proxies in front of us (TRUSTED_PROXIES): sign-in limits count the client behind them. */
  trustedProxies: number;
  production: boolean;
}

export function loadHandoffConfig(env: Record<string, unknown>, overrides: Partial<HandoffConfig> = {}): HandoffConfig {
  const parsed = HandoffEnv.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(formatConfigError(parsed.error));
  }
  const e = parsed.data;
  return {
    mode: e.HANDOFF_MODE,
    hours: e.HANDOFF_HOURS,
    timeZone: e.HANDOFF_TZ,
    avgHandleSeconds: e.HANDOFF_AVG_HANDLE_SECONDS,
    maxWaitSeconds: e.HANDOFF_MAX_WAIT_SECONDS,
    idleSeconds: e.HANDOFF_IDLE_SECONDS,
    sweepMs: e.HANDOFF_SWEEP_MS,
    credentials: e.AGENT_CREDENTIALS,
    apiKeys: e.AGENT_API_KEYS,
    sessionTtlSeconds: e.AGENT_SESSION_TTL_SECONDS,
    presenceSeconds: e.AGENT_PRESENCE_SECONDS,
    loginAttempts: e.AGENT_LOGIN_ATTEMPTS,
    loginAddressAttempts: e.AGENT_LOGIN_ADDRESS_ATTEMPTS,
    loginConcurrentHashes: e.AGENT_LOGIN_CONCURRENT_HASHES,
    trustedProxies: trustedProxiesOf(env),
    production: env.NODE_ENV === 'production',
    ...overrides,
  };
}
