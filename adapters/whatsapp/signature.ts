/**
 * Meta signs every webhook POST with X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw
 * body with the app secret>. The HMAC is over the bytes as received (Meta escapes non-ASCII as
 * \uXXXX), so it must never be computed over re-serialised JSON.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signatureOf(rawBody: Buffer, appSecret: string): string {
  return 'sha256=' + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

/** Constant-time check of the header against the body; false for a missing or malformed header. */
export function isValidSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header || !/^sha256=[0-9a-fA-F]{64}$/.test(header.trim())) return false;
  const given = Buffer.from(header.trim().slice(7).toLowerCase(), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Signed, expiring links for the media route, so a dialog can fetch an attachment with a plain GET. */
export function mediaSignature(mediaId: string, expiresAt: number, key: string): string {
  return createHmac('sha256', key).update(`media:${mediaId}:${expiresAt}`).digest('hex');
}

export function isValidMediaSignature(mediaId: string, expiresAt: number, sig: string, key: string, now: number): boolean {
  if (!Number.isFinite(expiresAt) || expiresAt < now || !/^[0-9a-f]{64}$/.test(sig)) return false;
  const a = Buffer.from(sig, 'hex');
  const b = Buffer.from(mediaSignature(mediaId, expiresAt, key), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
