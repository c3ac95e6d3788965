/**
 * How the Tawasul dialog gets a file's bytes: through a reader that bot/ wires, which decides
 * by channel where the bot may fetch from (its own attachment stores, never any URL an activity
 * names). Without one, only inline `data:` URLs are read: nothing goes on the network.
 */

export interface AttachmentReader {
  /** The bytes of an attachment of an activity of `channelId`; at most maxBytes + 1. Throws when refused or unreadable. */
  read(channelId: string, url: string): Promise<Uint8Array>;
}

/** A `data:` URL decoded in place (base64 or percent-encoded), cut at maxBytes + 1; undefined when not one. */
export function decodeDataUrl(url: string, maxBytes: number): Uint8Array | undefined {
  const m = /^data:([^,]*),/.exec(url);
  if (!m) return undefined;
  let bytes: Buffer;
  if (m[1]!.endsWith(';base64')) {
    // 4 characters per 3 bytes: decode no more text than the cap needs.
    bytes = Buffer.from(url.slice(m[0].length, m[0].length + Math.ceil(((maxBytes + 3) * 4) / 3)), 'base64');
  } else {
    try {
      bytes = Buffer.from(decodeURIComponent(url.slice(m[0].length)), 'latin1');
    } catch {
      return undefined;
    }
  }
  return new Uint8Array(bytes.subarray(0, maxBytes + 1));
}

export function dataUrlReader(maxBytes: number): AttachmentReader {
  return {
    async read(_channelId, url) {
      const bytes = decodeDataUrl(url, maxBytes);
      if (!bytes) throw new Error('attachment refused: not from this channel');
      return bytes;
    },
  };
}
