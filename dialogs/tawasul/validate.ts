/**
 * Checks what the user typed for one field of a Tawasul transaction type (FieldSpec from the
 * services API) and for attachments, and says why when it is wrong. Pure functions.
 */
import { ATTACHMENT_CONTENT_TYPES, type AttachmentContentType, type FieldSpec, MAX_ATTACHMENT_BYTES } from '../../adapters/services/types';
import { extractEntities } from '../understanding/entities';
import { checkIdNumber } from '../understanding/idNumber';
import { normalizeForMatching, toAsciiDigits } from '../understanding/normalize';
import { parseInteger, parseOrdinal } from '../understanding/answers';
import type { Lang } from '../understanding/normalize';

export type FieldCheck = { ok: true; value: string } | { ok: false; reason: string; args?: Record<string, unknown> };

/** The value to send for a field (dates yyyy-mm-dd, numbers as digits), or the reason it is refused. */
export function checkField(spec: FieldSpec, typed: string, lang: Lang): FieldCheck {
  const text = typed.trim();
  if (!text) return { ok: false, reason: 'required' };
  switch (spec.type) {
    case 'idNumber': {
      const check = checkIdNumber(text);
      return check.ok ? { ok: true, value: check.id } : { ok: false, reason: `id.${check.reason}` };
    }
    case 'date': {
      const date = extractEntities(text).date;
      return date ? { ok: true, value: date.iso } : { ok: false, reason: 'date' };
    }
    case 'number': {
      const n = parseInteger(text);
      if (n === undefined) return { ok: false, reason: 'number' };
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return { ok: false, reason: 'range', args: { min: spec.min, max: spec.max } };
      return { ok: true, value: String(n) };
    }
    case 'select': {
      const options = spec.options ?? [];
      const wanted = normalizeForMatching(text);
      const byLabel = options.find((o) => normalizeForMatching(o.label.ar) === wanted || normalizeForMatching(o.label.en) === wanted || o.value === wanted);
      const position = parseOrdinal(text);
      const picked = byLabel ?? (position !== undefined && position > 0 ? options[position - 1] : undefined);
      return picked ? { ok: true, value: picked.value } : { ok: false, reason: 'select', args: { options: options.map((o) => o.label[lang]).join(lang === 'ar' ? '، ' : ', ') } };
    }
    case 'passportNumber': {
      const value = toAsciiDigits(text).replace(/\s+/g, '').toUpperCase();
      if (spec.pattern && !new RegExp(spec.pattern).test(value)) return { ok: false, reason: 'passport' };
      return { ok: true, value };
    }
    case 'text': {
      if (spec.minLength !== undefined && text.length < spec.minLength) return { ok: false, reason: 'short', args: { min: spec.minLength } };
      if (spec.maxLength !== undefined && text.length > spec.maxLength) return { ok: false, reason: 'long', args: { max: spec.maxLength } };
      if (spec.pattern && !new RegExp(spec.pattern).test(text)) return { ok: false, reason: 'pattern' };
      return { ok: true, value: text };
    }
  }
}

/** The file's real type by its first bytes (a renamed .exe is not a PDF), or undefined. */
export function sniffContentType(bytes: Uint8Array): AttachmentContentType | undefined {
  const starts = (sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46])) return 'application/pdf';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  return undefined;
}

export type FileCheck = { ok: true; contentType: AttachmentContentType } | { ok: false; reason: 'type' | 'size' | 'empty' };

export function checkFile(bytes: Uint8Array): FileCheck {
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  if (bytes.length > MAX_ATTACHMENT_BYTES) return { ok: false, reason: 'size' };
  const contentType = sniffContentType(bytes);
  return contentType && (ATTACHMENT_CONTENT_TYPES as readonly string[]).includes(contentType) ? { ok: true, contentType } : { ok: false, reason: 'type' };
}
