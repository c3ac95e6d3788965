/**
 * Pseudonyms for identifiers that must not appear in Redis key names or audit entries in
 * clear (WhatsApp phone numbers, conversation keys in the audit stream): an HMAC with
 * PII_HASH_SECRET, stable across processes and restarts, not reversible without the secret.
 */
import { createHmac } from 'node:crypto';

/** Used only outside production (with a warning at start); anyone can read it here. */
export const DEV_PII_HASH_SECRET = 'musaed-development-pii-hash-secret-not-for-production';

export type Pseudonymize = (value: string) => string;

export function pseudonymizer(secret: string): Pseudonymize {
  return (value) => createHmac('sha256', secret).update(value).digest('base64url').slice(0, 22);
}
