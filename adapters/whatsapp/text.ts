/**
 * Text helpers for WhatsApp's limits: truncation and splitting on grapheme boundaries (never
 * inside a surrogate pair or between an Arabic letter and its marks), measured in UTF-16 code
 * units — the strictest count, so the API never rejects a message for length — and the
 * markdown → WhatsApp formatting conversion.
 */
/** The reply languages (the same two as the bot's; adapters do not import dialogs). */
export type Lang = 'ar' | 'en';
export const LOCALE_OF: Record<Lang, string> = { ar: 'ar-SA', en: 'en-US' };

export function langOfLocale(locale: string | undefined): Lang | undefined {
  const l = (locale ?? '').toLowerCase();
  return l.startsWith('ar') ? 'ar' : l.startsWith('en') ? 'en' : undefined;
}

/** Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits → ASCII. */
export function toAsciiDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => String((d.charCodeAt(0) & 0xf) % 10));
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
export const ELLIPSIS = '…';

/**
 * The longest whole-grapheme prefix of at most max code units. Only the first max + 64 units
 * are segmented (boundaries inside a prefix are the text's own; a grapheme cut by the slice
 * runs past max and is not taken): segmenting the whole text on every piece made splitting a
 * 70,000-character message take 30 s of blocked event loop.
 */
function prefixWithin(text: string, max: number): string {
  let out = '';
  for (const { segment } of segmenter.segment(text.slice(0, max + 64))) {
    if (out.length + segment.length > max) break;
    out += segment;
  }
  return out;
}

/** Shortens to at most max code units, ending with an ellipsis when anything was cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length) return prefixWithin(text, max);
  return prefixWithin(text, max - ELLIPSIS.length).trimEnd() + ELLIPSIS;
}

/**
 * Splits into pieces of at most max code units, preferring paragraph, then line, then word
 * breaks in the second half of a piece, and whole graphemes otherwise.
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const head = prefixWithin(rest, max);
    let cut = -1;
    for (const sep of ['\n\n', '\n', ' ']) {
      const at = head.lastIndexOf(sep);
      if (at >= max / 2) {
        cut = at;
        break;
      }
    }
    const piece = cut > 0 ? head.slice(0, cut) : head;
    pieces.push(piece.trimEnd());
    rest = rest.slice(piece.length).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

const BOLD = '\u0001';

/**
 * Markdown (as the bot's strings and cards use it) → WhatsApp formatting: double-star or
 * double-underscore bold and headings → single-star bold; single-star italic → underscore
 * italic; double-tilde strike → single tilde; [text](url) → text (url); star bullets → "•".
 */
export function markdownToWhatsApp(markdown: string): string {
  let s = markdown.replace(/\r\n/g, '\n');
  s = s.replace(/^[ \t]*[*+-][ \t]+/gm, '• ');
  s = s.replace(/^#{1,6}[ \t]+(.+?)[ \t]*#*$/gm, (_m, h: string) => `${BOLD}${h}${BOLD}`);
  s = s.replace(/\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*/g, `${BOLD}$1${BOLD}`);
  s = s.replace(/__(?=\S)([^_\n]+?)(?<=\S)__/g, `${BOLD}$1${BOLD}`);
  s = s.replace(/(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])/g, '_$1_');
  s = s.replace(/~~(?=\S)([^~\n]+?)(?<=\S)~~/g, '~$1~');
  s = s.replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, (_m, label: string, url: string) => (label === url ? url : `${label} (${url})`));
  return s.replaceAll(BOLD, '*');
}

/** Template parameters may not hold newlines, tabs or more than four spaces in a row. */
export function toTemplateParam(text: string, max: number): string {
  const flat = text
    .replace(/\s*\n+\s*/g, ' — ')
    .replace(/\t/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return truncate(flat, max);
}
