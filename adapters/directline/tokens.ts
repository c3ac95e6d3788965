/**
 * Direct Line tokens: compact JWTs (HS256) so clients that decode them (Web Chat reads the
 * `user` claim) can, signed with a key derived from the channel secret. A token binds one
 * conversation and one user; a stream token (scope "stream") only opens that conversation's
 * WebSocket and is what goes into streamUrl, so the REST token never appears in a URL.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export type TokenScope = 'conversation' | 'stream';

export interface TokenClaims {
  conv: string;
  user: string;
  scope: TokenScope;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
  /**
   * The conversation was under way when this token was issued. Tokens are not stored, so this
   * survives a Redis reset or an old snapshot: a started conversation whose data is gone is
   * told so (index.ts), not silently begun again.
   */
  started?: true;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'signature' | 'expired' | 'scope' };

const ISSUER = 'musaed-directline';
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

const Claims = z.object({
  iss: z.literal(ISSUER),
  conv: z.string().min(1).max(128),
  user: z.string().min(1).max(128),
  scope: z.enum(['conversation', 'stream']),
  iat: z.number().int(),
  exp: z.number().int(),
  started: z.literal(true).optional(),
});

/** Conversation ids and user ids this channel makes: URL-safe, unguessable. */
export function newConversationId(): string {
  return randomBytes(18).toString('base64url');
}

export function newUserId(): string {
  return `dl_${randomBytes(12).toString('base64url')}`;
}

export class TokenSigner {
  private readonly key: Buffer;

  constructor(secret: string, private readonly clock: () => number = Date.now) {
    // A key of its own, so a leaked token key never equals the channel secret.
    this.key = createHmac('sha256', secret).update('musaed:directline:token-key').digest();
  }

  now(): number {
    return Math.floor(this.clock() / 1000);
  }

  sign(claims: { conv: string; user: string; scope?: TokenScope; ttlSeconds: number; started?: boolean }): string {
    const iat = this.now();
    const payload = {
      iss: ISSUER,
      conv: claims.conv,
      user: claims.user,
      scope: claims.scope ?? 'conversation',
      iat,
      exp: iat + claims.ttlSeconds,
      ...(claims.started ? { started: true } : {}),
    };
    const body = `${HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${body}.${this.mac(body)}`;
  }

  /** Checks signature, expiry and scope; never throws. */
  verify(token: string, scope: TokenScope = 'conversation'): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER || !/^[A-Za-z0-9_-]+$/.test(parts[1]!) || !/^[A-Za-z0-9_-]{43}$/.test(parts[2]!)) {
      return { ok: false, reason: 'malformed' };
    }
    const given = Buffer.from(parts[2]!, 'base64url');
    const expected = Buffer.from(this.mac(`${parts[0]}.${parts[1]}`), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
    let parsed;
    try {
      parsed = Claims.safeParse(JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (!parsed.success) return { ok: false, reason: 'malformed' };
    const { iss: _iss, ...claims } = parsed.data;
    if (claims.exp <= this.now()) return { ok: false, reason: 'expired' };
    if (claims.scope !== scope) return { ok: false, reason: 'scope' };
    return { ok: true, claims };
  }

  private mac(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }
}

/** Constant-time comparison of a presented Bearer value with the channel secret. */
export function isChannelSecret(presented: string, secret: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Signed, expiring links to uploaded files, so the bot (and the page) can fetch them with a plain GET. */
export function attachmentSignature(key: Buffer, conv: string, attachmentId: string, expiresAt: number): string {
  return createHmac('sha256', key).update(`att:${conv}:${attachmentId}:${expiresAt}`).digest('base64url');
}

export function isValidAttachmentSignature(key: Buffer, conv: string, attachmentId: string, expiresAt: number, sig: string, now: number): boolean {
  if (!Number.isFinite(expiresAt) || expiresAt < now || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return false;
  const a = Buffer.from(sig, 'base64url');
  const b = Buffer.from(attachmentSignature(key, conv, attachmentId, expiresAt), 'base64url');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function attachmentKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('musaed:directline:attachment-key').digest();
}
