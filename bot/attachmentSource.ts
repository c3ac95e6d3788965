/**
 * Where the bot may fetch an attachment from, by channel (an SSRF guard: an activity can name
 * any URL, and the bot must not become a client of whatever the sender points it at).
 *   - Direct Line: only its own signed file links on this service (PUBLIC_URL or the internal base URL).
 *   - WhatsApp: only its own signed media links on this service (which fetch the Graph API by media id).
 *   - Every other channel (/api/messages): only https hosts listed in ATTACHMENT_ALLOWED_HOSTS
 *     (none by default).
 * Inline `data:` URLs are decoded without the network. Redirects are refused (a listed host must
 * not bounce the bot elsewhere). A refused URL is never contacted, so nothing the bot says can
 * tell whether it would have answered.
 */
import { DIRECTLINE_CHANNEL_ID } from '../adapters/directline/activities';
import { WHATSAPP_CHANNEL_ID } from '../adapters/whatsapp/inbound';
import { type AttachmentReader, decodeDataUrl } from '../dialogs/tawasul/attachments';

export interface AttachmentSourceOptions {
  /** This service's origins as the channels write them into links (internal base URL, PUBLIC_URL). */
  ownOrigins: () => Array<string | undefined>;
  /** Hosts attachments of /api/messages channels may come from: "files.example.com" or ".example.com" (any subdomain). */
  allowedHosts: string[];
  maxBytes: number;
  timeoutMs?: number;
}

/** The path of each built-in channel's own attachment store on this service. */
const OWN_STORES: Record<string, RegExp> = {
  [DIRECTLINE_CHANNEL_ID]: /^\/v3\/directline\/conversations\/[^/]+\/files\/[^/]+$/,
  [WHATSAPP_CHANNEL_ID]: /^\/api\/whatsapp\/media\/[^/]+$/,
};

const originOf = (url: string | undefined): string | undefined => {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
};

/** A link into one of this service's own attachment stores (Direct Line files, WhatsApp media), on one of its origins. */
export function isOwnStoredAttachment(url: string, ownOrigins: Array<string | undefined>): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const origins = ownOrigins.map(originOf).filter((o): o is string => !!o);
  return origins.includes(parsed.origin) && Object.values(OWN_STORES).some((path) => path.test(parsed.pathname));
}

export function isAllowedAttachmentUrl(channelId: string, url: string, options: Pick<AttachmentSourceOptions, 'ownOrigins' | 'allowedHosts'>): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  const own = OWN_STORES[channelId];
  if (own) {
    const origins = options.ownOrigins().map(originOf).filter((o): o is string => !!o);
    return origins.includes(parsed.origin) && own.test(parsed.pathname);
  }
  if (parsed.protocol !== 'https:') return false;
  const host = parsed.hostname.toLowerCase();
  return options.allowedHosts.some((h) => {
    const allowed = h.trim().toLowerCase();
    return allowed.startsWith('.') ? host.endsWith(allowed) && host.length > allowed.length : host === allowed;
  });
}

async function fetchCapped(url: string, maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!res.ok || !res.body) throw new Error(`download failed: ${res.status}`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > maxBytes) break; // enough to know it is too big
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) out.set(c, at), (at += c.length);
  return out;
}

export function createAttachmentReader(options: AttachmentSourceOptions): AttachmentReader {
  return {
    async read(channelId, url) {
      const inline = decodeDataUrl(url, options.maxBytes);
      if (inline) return inline;
      if (!isAllowedAttachmentUrl(channelId, url, options)) throw new Error('attachment refused: not from this channel');
      return fetchCapped(url, options.maxBytes, options.timeoutMs ?? 15_000);
    },
  };
}
