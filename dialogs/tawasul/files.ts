/**
 * Files a person sends for a Tawasul request: fetched from the activity's contentUrl (on
 * Direct Line a signed loopback URL, on WhatsApp a signed media link), never trusted by name
 * or declared type: the kind is read from the first bytes (PDF, JPEG, PNG), and the size is
 * counted while reading so a large file is refused without holding it all in memory.
 */
import { createHash } from 'node:crypto';
import type { Attachment as ActivityAttachment } from 'botbuilder';
import { MAX_ATTACHMENT_BYTES, type AttachmentContentType } from '../../adapters/services/types';

export type FileProblem = 'type' | 'tooBig' | 'download';

export type FetchedFile =
  | { ok: true; name: string; contentType: AttachmentContentType; bytes: Uint8Array; sha256: string }
  | { ok: false; name: string; problem: FileProblem; size?: number };

export interface FileFetchOptions {
  /** Per file, including the body (default 20 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const EXTENSION: Record<AttachmentContentType, string> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The type a file really is, from its signature bytes. */
export function sniffType(bytes: Uint8Array): AttachmentContentType | undefined {
  if (bytes.length >= 5 && String.fromCharCode(...bytes.subarray(0, 5)) === '%PDF-') return 'application/pdf';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && PNG.every((b, i) => bytes[i] === b)) return 'image/png';
  return undefined;
}

/** A name safe to show and send: no path, no control characters, a sensible length. */
export function cleanFileName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f<>"]/g, '').trim().slice(0, 120);
  return clean && clean !== 'blob' ? clean : fallback;
}

function withExtension(name: string, type: AttachmentContentType): string {
  return /\.[A-Za-z0-9]{2,5}$/.test(name) ? name : `${name}.${EXTENSION[type]}`;
}

/** Reads a body up to `max` bytes; undefined (and the stream cancelled) when it is longer. */
async function readLimited(res: Response, max: number): Promise<{ bytes: Uint8Array; size: number } | { tooBig: true; size: number }> {
  const reader = res.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(0), size: 0 };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return { tooBig: true, size };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { bytes, size };
}

/** Fetches and checks one file of an activity; `index` names unnamed files ("file 2"). */
export async function fetchFile(attachment: ActivityAttachment, fallbackName: string, options: FileFetchOptions = {}): Promise<FetchedFile> {
  const name = cleanFileName(attachment.name, fallbackName);
  const url = attachment.contentUrl ?? '';
  if (!/^(https?:|data:)/i.test(url)) return { ok: false, name, problem: 'download' };
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 20_000) });
  } catch {
    return { ok: false, name, problem: 'download' };
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    return { ok: false, name, problem: 'download' };
  }
  const declared = Number(res.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > MAX_ATTACHMENT_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    return { ok: false, name, problem: 'tooBig', size: declared };
  }
  let read: Awaited<ReturnType<typeof readLimited>>;
  try {
    read = await readLimited(res, MAX_ATTACHMENT_BYTES);
  } catch {
    return { ok: false, name, problem: 'download' };
  }
  if ('tooBig' in read) return { ok: false, name, problem: 'tooBig', size: Math.max(read.size, Number.isFinite(declared) ? declared : 0) };
  const type = sniffType(read.bytes);
  if (!type) return { ok: false, name, problem: 'type', size: read.size };
  const sha256 = createHash('sha256').update(read.bytes).digest('hex');
  return { ok: true, name: withExtension(name, type), contentType: type, bytes: read.bytes, sha256 };
}

/** "350 KB" / "1.2 MB" values (the unit word comes from the locale); rounded up, so 5 MB + 1 byte reads 5.1. */
export function sizeParts(bytes: number): { unit: 'kb' | 'mb'; value: string } {
  if (bytes >= 1024 * 1024) return { unit: 'mb', value: String(Math.ceil((bytes / (1024 * 1024)) * 10) / 10) };
  return { unit: 'kb', value: String(Math.max(1, Math.round(bytes / 1024))) };
}
