/**
 * pino JSON logs with personal data masked in every string of every line (privacy/mask.ts:
 * ID numbers, mobiles, IBANs, passports, codes, tokens); fields named like secrets are
 * censored whole. Masking runs on the log object, so no call site can forget it.
 */
import pino, { type Logger, type LoggerOptions } from 'pino';
import { maskPii } from './privacy/mask';

export type { Logger };

export { maskPii };

const SECRET_FIELD = /^(otp|password|passcode|token|accesstoken|access_token|authorization|secret|apikey|api_key|cookie)$/i;
/**
 * A field named `code` is an error code far more often than a one-time code: a number (Graph's
 * 131047, an HTTP status) or an identifier (ECONNREFUSED, invalid_payload) is kept; anything
 * else, a run of digits above all ("123456", «١٢٣٤٥٦»), is censored as a one-time code would be.
 */
const ERROR_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

function isSecretField(key: string, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (key.toLowerCase() === 'code') return !(typeof value === 'number' || (typeof value === 'string' && ERROR_CODE.test(value) && !/\d{4}/.test(value)));
  return SECRET_FIELD.test(key);
}

function maskValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskPii(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: maskPii(value.message), stack: value.stack ? maskPii(value.stack) : undefined };
  }
  if (Array.isArray(value)) return value.map((v) => maskValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretField(k, v) ? '[redacted]' : maskValue(v, depth + 1);
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
