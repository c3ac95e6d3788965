/** Reminder settings from the environment (the core's Config lets extra keys through). */
import { z } from 'zod';
import { ConfigError, formatConfigError } from '../../bot/config';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const RemindersEnv = z.object({
  /** How often the lease holder checks the consents (ms). */
  REMINDER_POLL_MS: int(50, 24 * 3_600_000).default(15 * 60_000),
  /** How long a claimed reminder stays claimed if its sender dies before marking it sent (ms). */
  REMINDER_CLAIM_MS: int(500, 3_600_000).default(120_000),
  /** Days before expiry, comma-separated. */
  REMINDER_THRESHOLDS: z
    .string()
    .default('30,7')
    .pipe(z.string().regex(/^\d{1,3}(,\d{1,3})*$/, 'expected days such as 30,7'))
    .transform((v) => [...new Set(v.split(',').map(Number))].filter((n) => n > 0).sort((a, b) => a - b)),
  /** Riyadh hours when nothing is sent, "start-end" (end exclusive): a due reminder waits for the end. */
  REMINDER_QUIET_HOURS: z
    .string()
    .default('22-8')
    .pipe(z.string().regex(/^\d{1,2}-\d{1,2}$/, 'expected hours such as 22-8'))
    .transform((v) => {
      const [start, end] = v.split('-').map(Number) as [number, number];
      return { start, end };
    })
    .refine((q) => q.start < 24 && q.end < 24, 'hours are 0 to 23'),
});

export interface RemindersConfig {
  pollMs: number;
  claimMs: number;
  thresholds: number[];
  quietHours: { start: number; end: number };
}

export class RemindersConfigError extends ConfigError {}

export function loadRemindersConfig(env: Record<string, unknown>): RemindersConfig {
  const parsed = RemindersEnv.safeParse(env);
  if (!parsed.success) throw new RemindersConfigError(formatConfigError(parsed.error));
  const e = parsed.data;
  return { pollMs: e.REMINDER_POLL_MS, claimMs: e.REMINDER_CLAIM_MS, thresholds: e.REMINDER_THRESHOLDS, quietHours: e.REMINDER_QUIET_HOURS };
}

const RIYADH_OFFSET_MS = 3 * 3_600_000;

/** Whether a moment falls in the quiet hours, in Riyadh time (UTC+3 all year). */
export function inQuietHours(ms: number, quiet: { start: number; end: number }): boolean {
  if (quiet.start === quiet.end) return false;
  const hour = new Date(ms + RIYADH_OFFSET_MS).getUTCHours();
  return quiet.start < quiet.end ? hour >= quiet.start && hour < quiet.end : hour >= quiet.start || hour < quiet.end;
}

/** The smallest threshold that covers the days left (none once expired or too far off). */
export function dueThreshold(daysLeft: number, thresholds: readonly number[]): number | undefined {
  if (daysLeft < 0) return undefined;
  return [...thresholds].sort((a, b) => a - b).find((t) => daysLeft <= t);
}

/** Whole days from one yyyy-mm-dd to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
