/**
 * The one sanitiser for file names people send: every place that stores or shows one (Direct
 * Line uploads, WhatsApp documents, the agent console's transcript, Tawasul attachments) uses it.
 * A name can carry right-to-left overrides that flip what an agent reads ("invoice‮fdp.exe"
 * shows as "invoiceexe.pdf"), invisible characters, markup and paths; none of it is kept.
 */
// C0/C1 controls; bidi embeddings, overrides and isolates, marks (LRM, RLM, ALM); zero-width characters and BOM.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
/** Characters with a meaning in HTML, headers or shells. */
const MARKUP = /[<>"'`&\\/:*?|]/g;

export const MAX_FILE_NAME_CHARS = 120;

/** A name safe to store and show: no path, controls, bidi or invisible characters, or markup; trimmed and bounded. */
export function safeFileName(name: string | undefined, fallback: string): string {
  const base = String(name ?? '').normalize('NFC').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(UNSAFE, '').replace(MARKUP, '_').replace(/\s+/g, ' ').trim().slice(0, MAX_FILE_NAME_CHARS);
  return clean && clean !== 'blob' && !/^[._ ]+$/.test(clean) ? clean : fallback;
}
