/**
 * Request plumbing for the Direct Line routes: bodies (read by bot/http/body.ts: 413 too
 * large, 415 wrong type or any Content-Encoding, 400 malformed), the caller's credentials,
 * and the base URLs the client and the bot see.
 */
import type { IncomingMessage } from 'node:http';
import type { Request } from 'restify';

import { mediaType } from '../../bot/http/body';

export function isMultipart(req: IncomingMessage): boolean {
  return mediaType(req) === 'multipart/form-data';
}

/** The Bearer value of the Authorization header, if any. */
export function bearerOf(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''));
  return m?.[1];
}

export { clientAddress } from '../../bot/http/clientAddress';

/** The origin the client reached us at (for streamUrl and file links): PUBLIC_URL when set, else the Host header. */
export function publicOrigin(req: IncomingMessage, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const given = String(req.headers.host ?? '');
  const host = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(given) ? given : `127.0.0.1:${req.socket.localPort ?? 80}`;
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true || String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
  return `${secure ? 'https' : 'http'}://${host}`;
}

export function queryOf(req: Request | IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}
