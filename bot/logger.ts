/**
 * pino JSON logs with personal data masked in every string of every line: ID numbers,
 * Saudi mobile numbers, bearer tokens and long secrets; fields named like secrets are
 * censored whole. Masking runs on the log object, so no call site can forget it.
 */
import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

// Digits in any of the sets people type (ASCII, Arabic-Indic, Persian), with the spaces or
// dashes they put between groups: "٢٣٤٥ ٦٧٨ ٩٠٤" is an ID number as much as "2345678904".
const DIGIT = '[0-9\u0660-\u0669\u06f0-\u06f9]';
const SEP = '[ \\-]?';
const NOT_AFTER_DIGIT = '(?<![0-9\u0660-\u0669\u06f0-\u06f9*])';
const NOT_BEFORE_DIGIT = '(?![0-9\u0660-\u0669\u06f0-\u06f9])';
const ID_NUMBER = new RegExp(`${NOT_AFTER_DIGIT}[12\u0661\u0662\u06f1\u06f2](?:${SEP}${DIGIT}){9}${NOT_BEFORE_DIGIT}`, 'g');
const SAUDI_MOBILE = new RegExp(`${NOT_AFTER_DIGIT}(?:\\+?966${SEP}|00966${SEP}|[0\u0660\u06f0])?[5\u0665\u06f5](?:${SEP}${DIGIT}){8}${NOT_BEFORE_DIGIT}`, 'g');
const compact = (m: string) => m.replace(/[ -]/g, '');
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
const LONG_SECRET = /\b[A-Za-z0-9_-]{32,}\b/g;

/** Masks ID numbers (last four kept), mobiles (last two kept), bearer tokens and long secrets. */
export function maskPii(text: string): string {
  return text
    .replace(BEARER, '$1[redacted]')
    .replace(LONG_SECRET, '[redacted]')
    .replace(ID_NUMBER, (m) => {
      const digits = compact(m);
      return `${digits[0] ?? ''}*****${digits.slice(-4)}`;
    })
    .replace(SAUDI_MOBILE, (m) => `05******${compact(m).slice(-2)}`);
}

const SECRET_FIELD = /^(otp|code|password|passcode|token|accesstoken|access_token|authorization|secret|apikey|api_key|cookie)$/i;

function maskValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskPii(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: maskPii(value.message), stack: value.stack ? maskPii(value.stack) : undefined };
  }
  if (Array.isArray(value)) return value.map((v) => maskValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELD.test(k) && v !== undefined && v !== null ? '[redacted]' : maskValue(v, depth + 1);
  }
  return out;
}

export interface LoggerSettings {
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
  base?: Record<string, unknown>;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: settings.base ?? { app: 'musaed' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => maskValue(obj, 0) as Record<string, unknown>,
    },
    hooks: {
      // The message string is not part of the log object: mask it here.
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' ? maskPii(a) : a)) as Parameters<typeof method>;
        method.apply(this, masked);
      },
    },
    serializers: {
      err: (e: unknown) => maskValue(e, 0),
      // Child bindings skip the log formatter; a conversation id can be a phone number (WhatsApp).
      conversation: (v: unknown) => (typeof v === 'string' && /^\+?\d{8,15}$/.test(v) ? `…${v.slice(-2)}` : maskValue(v, 0)),
    },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
