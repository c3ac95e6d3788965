/**
 * WhatsApp settings from the environment (the core's Config lets extra keys through).
 * With none of the credentials set the channel is disabled, so `npm start` works without
 * Meta; with only some of them set start-up stops with one line naming what is missing.
 */
import { ConfigError, formatConfigError } from '../../bot/config';
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** "musaed_update:ar,en" → { name, languages }; the first language is the fallback. */
const templateSpec = optionalString.pipe(
  z
    .string()
    .regex(/^[a-z0-9_]{1,512}:[A-Za-z_]{2,8}(,[A-Za-z_]{2,8})*$/, 'expected name:lang[,lang…], e.g. musaed_update:ar,en')
    .transform((v) => {
      const [name, langs] = v.split(':') as [string, string];
      return { name, languages: langs.split(',') };
    })
    .optional(),
);

const WhatsAppEnv = z.object({
  WHATSAPP_VERIFY_TOKEN: optionalString,
  WHATSAPP_APP_SECRET: optionalString,
  WHATSAPP_ACCESS_TOKEN: optionalString,
  WHATSAPP_PHONE_NUMBER_ID: optionalString.pipe(z.string().regex(/^\d{1,32}$/, 'digits only').optional()),
  WHATSAPP_GRAPH_URL: z
    .string()
    .default('https://graph.facebook.com')
    .transform((v) => (v.trim() === '' ? 'https://graph.facebook.com' : v.trim().replace(/\/+$/, '')))
    .pipe(z.url()),
  WHATSAPP_GRAPH_VERSION: z
    .string()
    .default('v21.0')
    .transform((v) => (v.trim() === '' ? 'v21.0' : v.trim()))
    .pipe(z.string().regex(/^v\d+\.\d+$/, 'expected a version such as v21.0')),
  WHATSAPP_TEMPLATE_NOTIFY: templateSpec,
  /** The iqama expiry reminder outside the window: body {{1}} first name, {{2}} when, {{3}} date in both calendars. */
  WHATSAPP_TEMPLATE_REMINDER: templateSpec,
  WHATSAPP_DEDUP_TTL_SECONDS: int(60, 30 * 24 * 3600).default(7 * 24 * 3600),
  /**
   * How long the number behind a pseudonym is kept after the user's last message (replies,
   * agent messages and Tawasul notifications need it): as long as a notification is watched.
   */
  WHATSAPP_ADDRESS_TTL_SECONDS: int(3600, 5 * 365 * 24 * 3600).default(90 * 24 * 3600),
  /** Attempts per Graph call for rate limits and 5xx (first try included). */
  WHATSAPP_SEND_ATTEMPTS: int(1, 10).default(5),
  WHATSAPP_RETRY_BASE_MS: int(1, 60_000).default(500),
});

export interface TemplateSpec {
  name: string;
  languages: string[];
}

export interface WhatsAppConfig {
  verifyToken: string;
  appSecret: string;
  accessToken: string;
  phoneNumberId: string;
  graphUrl: string;
  graphVersion: string;
  template?: TemplateSpec;
  /** Used for activities that carry channelData.template { kind: 'reminder', params }; else `template` with the summary. */
  reminderTemplate?: TemplateSpec;
  dedupTtlSeconds: number;
  addressTtlSeconds: number;
  sendAttempts: number;
  retryBaseMs: number;
}

const REQUIRED = ['WHATSAPP_VERIFY_TOKEN', 'WHATSAPP_APP_SECRET', 'WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID'] as const;

export class WhatsAppConfigError extends ConfigError {}

/** The channel's settings, or undefined when WhatsApp is not configured at all (disabled). */
export function loadWhatsAppConfig(env: Record<string, unknown>): WhatsAppConfig | undefined {
  const parsed = WhatsAppEnv.safeParse(env);
  if (!parsed.success) {
    throw new WhatsAppConfigError(formatConfigError(parsed.error));
  }
  const e = parsed.data;
  const missing = REQUIRED.filter((k) => !e[k]);
  if (missing.length === REQUIRED.length) return undefined;
  if (missing.length > 0) {
    throw new WhatsAppConfigError(`Invalid configuration: ${missing.join(', ')}: required when WhatsApp is configured`);
  }
  return {
    verifyToken: e.WHATSAPP_VERIFY_TOKEN!,
    appSecret: e.WHATSAPP_APP_SECRET!,
    accessToken: e.WHATSAPP_ACCESS_TOKEN!,
    phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID!,
    graphUrl: e.WHATSAPP_GRAPH_URL,
    graphVersion: e.WHATSAPP_GRAPH_VERSION,
    template: e.WHATSAPP_TEMPLATE_NOTIFY,
    reminderTemplate: e.WHATSAPP_TEMPLATE_REMINDER,
    dedupTtlSeconds: e.WHATSAPP_DEDUP_TTL_SECONDS,
    addressTtlSeconds: e.WHATSAPP_ADDRESS_TTL_SECONDS,
    sendAttempts: e.WHATSAPP_SEND_ATTEMPTS,
    retryBaseMs: e.WHATSAPP_RETRY_BASE_MS,
  };
}
