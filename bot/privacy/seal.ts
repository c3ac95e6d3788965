/**
 * Sealed values: personal data an agent may need to see on demand (an ID number the user typed
 * while talking to them) is kept encrypted (AES-256-GCM, a key derived from PII_HASH_SECRET),
 * next to the masked text everyone sees, and opened only by an explicit, audited reveal.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface Sealer {
  seal(plain: string): string;
  /** undefined when the value was sealed with another key or altered. */
  open(sealed: string): string | undefined;
}

export function sealer(secret: string): Sealer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'musaed', 'sealed-values/v1', 32));
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(sealed) {
      try {
        const raw = Buffer.from(sealed, 'base64url');
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}
