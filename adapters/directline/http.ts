/**
 * Request plumbing for the Direct Line routes: bodies read with a hard size limit and
 * clear statuses (413 too large, 415 wrong type, 400 malformed), the caller's credentials,
 * and the base URLs the client and the bot see.
 */
import type { IncomingMessage } from 'node:http';
import type { Request } from 'restify';

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail?: string,
    /** Extra response headers (Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? code);
  }
}

/** The body's bytes, up to max; a larger body is refused with 413 as soon as it passes the limit. */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    return Promise.reject(new HttpProblem(413, 'too_large', `the body is larger than ${max} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        done = true;
        req.off('data', onData);
        req.resume();
        reject(new HttpProblem(413, 'too_large', `the body is larger than ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.once('error', (err) => {
      if (!done) reject(new HttpProblem(400, 'bad_request', err.message));
    });
  });
}

function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * A JSON body. An empty body is `undefined` when allowed (the client sends none on some
 * calls); otherwise the type must be JSON and the text must parse.
 */
export async function readJson(req: IncomingMessage, max: number, options: { optional?: boolean } = {}): Promise<unknown> {
  const type = mediaType(req);
  const raw = await readBody(req, max);
  if (raw.length === 0 && options.optional) return undefined;
  if (type !== 'application/json' && !(options.optional && type === '')) {
    throw new HttpProblem(415, 'unsupported_media_type', 'send the body as application/json');
  }
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new HttpProblem(400, 'malformed_json', 'the body is not valid JSON');
  }
}

export function isMultipart(req: IncomingMessage): boolean {
  return mediaType(req) === 'multipart/form-data';
}

/** The Bearer value of the Authorization header, if any. */
export function bearerOf(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''));
  return m?.[1];
}

/**
 * The address a rate limit counts. Each trusted proxy appends the address it was reached from
 * to X-Forwarded-For, so the client is `trustedProxies` hops from the right; anything further
 * left was written by the client and proves nothing. With fewer hops than proxies the leftmost
 * one is used (every entry then came from a proxy of ours).
 */
export function clientAddress(req: IncomingMessage, trustedProxies: number): string {
  if (trustedProxies > 0) {
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : String(header ?? ''))
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h !== '');
    if (hops.length > 0) return hops[Math.max(0, hops.length - trustedProxies)]!;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

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
