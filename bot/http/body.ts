/**
 * The one request-body reader of the product. Every route that reads a body comes here, so
 * the rules hold everywhere: a compressed body is refused (415) without being read or
 * decompressed (no gzip bombs, no zlib errors), the byte limit is counted on the stream (413
 * as soon as it passes, with or without Content-Length), an aborted or broken request is a
 * 400 rather than an unhandled 'error' event, the media type is checked (415) and JSON must
 * be valid UTF-8 and parse (400).
 */
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'restify';

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

/** Absent, empty or `identity`: the only Content-Encodings a body may have. */
function encodingProblem(req: IncomingMessage): HttpProblem | undefined {
  const encodings = String(req.headers['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  if (encodings.length === 0) return undefined;
  return new HttpProblem(415, 'unsupported_encoding', 'send the body uncompressed (no Content-Encoding)');
}

function tooLarge(max: number): HttpProblem {
  return new HttpProblem(413, 'too_large', `the body is larger than ${max} bytes`);
}

/** Reads nothing more: what is still coming is discarded (never buffered), so the connection can answer. */
function discard(req: IncomingMessage): void {
  req.on('error', () => undefined);
  req.resume();
}

/**
 * The body's exact bytes, up to max. Refused before reading: a Content-Encoding (415) or a
 * declared length over max (413); refused while reading: more than max bytes (413); an
 * aborted or failing request rejects with a 400 instead of throwing.
 */
export interface ReadOptions {
  /** The whole body must have arrived within this many ms; a slower one is refused (408) and dropped. */
  deadlineMs?: number;
}

export function readBody(req: IncomingMessage, max: number, options: ReadOptions = {}): Promise<Buffer> {
  const encoding = encodingProblem(req);
  if (encoding) {
    discard(req);
    return Promise.reject(encoding);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    discard(req);
    return Promise.reject(tooLarge(max));
  }
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // A body trickled in slowly holds memory and, for uploads, one of a few reading places.
    const timer = options.deadlineMs
      ? setTimeout(() => finish(new HttpProblem(408, 'body_timeout', `the body did not arrive within ${Math.round((options.deadlineMs ?? 0) / 1000)} s`, { connection: 'close' })), options.deadlineMs)
      : undefined;
    const finish = (err?: HttpProblem) => {
      if (timer) clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      req.off('close', onClose);
      if (err) {
        discard(req);
        reject(err);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) return finish(tooLarge(max));
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = (err: Error) => finish(new HttpProblem(400, 'bad_request', err.message));
    const onAborted = () => finish(new HttpProblem(400, 'aborted', 'the request was aborted'));
    // A connection closed before the body ended: nobody is left to answer, but the promise settles.
    const onClose = () => {
      if (!req.complete) finish(new HttpProblem(400, 'aborted', 'the request was aborted'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.on('error', onError);
    req.once('aborted', onAborted);
    req.once('close', onClose);
  });
}

export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON text from bytes: invalid UTF-8 or invalid JSON is a 400 (malformed_json). */
export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(utf8.decode(raw)) as unknown;
  } catch {
    throw new HttpProblem(400, 'malformed_json', 'the body is not valid JSON');
  }
}

export interface JsonOptions {
  /** An empty body is `undefined` (and may come without a Content-Type) instead of a 400. */
  optional?: boolean;
}

/** A JSON body of at most max bytes: application/json (415 otherwise), valid UTF-8 and JSON (400 otherwise). */
export async function readJson(req: IncomingMessage, max: number, options: JsonOptions = {}): Promise<unknown> {
  const type = mediaType(req);
  const raw = await readBody(req, max);
  if (raw.length === 0 && options.optional) return undefined;
  if (type !== 'application/json' && !(options.optional && type === '')) {
    throw new HttpProblem(415, 'unsupported_media_type', 'send the body as application/json');
  }
  return parseJson(raw);
}

/** Any failure of reading as a problem to answer with (an unexpected error is still a 400, never a crash). */
export function problemOf(err: unknown): HttpProblem {
  return err instanceof HttpProblem ? err : new HttpProblem(400, 'bad_request', 'the body could not be read');
}

/**
 * Restify handler: req.body becomes the parsed JSON, or the chain stops with the problem's
 * status and `{ error: code, detail }`. Replaces restify's bodyParser, which decompresses
 * without a limit on the expanded size and without listening for the decompressor's errors.
 */
export function jsonBody(max: number, options: JsonOptions & { onProblem?: (problem: HttpProblem) => void } = {}): RequestHandler {
  return (req: Request, res: Response, next: (err?: false) => void) => {
    readJson(req, max, options).then(
      (body) => {
        (req as { body?: unknown }).body = body;
        next();
      },
      (err: unknown) => {
        const problem = problemOf(err);
        options.onProblem?.(problem);
        if (!res.headersSent && !res.destroyed) res.send(problem.status, { error: problem.code, detail: problem.detail });
        next(false);
      },
    );
  };
}
