/**
 * The fields a Tawasul transaction type asks for (FieldSpec from the services API): the
 * question for each, the check of an answer with a reason a person understands, and how a
 * value is shown back at the review. Pure functions; `now` is the services' clock in tests.
 */
import type { Bilingual, FieldSpec } from '../../adapters/services/types';
import { formatBothCalendars } from '../format/dates';
import { findChoice } from '../prompts';
import { parseInteger } from '../understanding/answers';
import { extractEntities } from '../understanding/entities';
import { checkIdNumber, compactDigits, maskId } from '../understanding/idNumber';
import { normalizeForMatching, toAsciiDigits, type Lang } from '../understanding/normalize';
import type { Button, Line, Question } from './askPrompt';

const NS = 'tawasul:';
const PASSPORT_DEFAULT = /^[A-Z0-9]{6,9}$/;
const ARABIC_LETTERS = /[\u0621-\u064a]/;
const SKIP_WORDS = new Set(['تخطي', 'تخطى', 'تجاوز', 'لا يوجد', 'ما فيه', 'skip', 'none', 'n/a', 'na']);

export type FieldCheck = { ok: true; value: string } | { ok: false; problem: Line };

/** True for a pattern meant for names in Latin letters (accepts "Abc", refuses Arabic). */
function latinOnly(pattern: string | undefined): boolean {
  if (!pattern) return false;
  try {
    const re = new RegExp(pattern);
    return re.test('Abc') && !re.test('احمد');
  } catch {
    return false;
  }
}

function safePattern(pattern: string | undefined): RegExp | undefined {
  if (!pattern) return undefined;
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

export function isSkip(text: string): boolean {
  return SKIP_WORDS.has(normalizeForMatching(text).replace(/[^\p{L}\p{N}/ ]+/gu, '').trim());
}

/** The line under a field's label that says what to type. */
export function fieldHint(spec: FieldSpec): Line {
  switch (spec.type) {
    case 'text':
      if (latinOnly(spec.pattern)) return { key: `${NS}hint.textLatin` };
      return spec.maxLength ? { key: `${NS}hint.textMax`, args: { max: spec.maxLength } } : { key: `${NS}hint.text` };
    case 'date':
      return { key: `${NS}hint.date` };
    case 'idNumber':
      return { key: `${NS}hint.idNumber` };
    case 'passportNumber':
      return { key: `${NS}hint.passportNumber` };
    case 'number':
      return spec.min !== undefined && spec.max !== undefined
        ? { key: `${NS}hint.numberRange`, args: { min: spec.min, max: spec.max } }
        : { key: `${NS}hint.number` };
    case 'select': {
      const options = spec.options ?? [];
      const list = (lang: Lang) => options.map((o, i) => `${i + 1}. ${o.label[lang]}`).join('\n');
      return { key: `${NS}hint.select`, args: { list: { ar: list('ar'), en: list('en') } } };
    }
  }
}

export function optionButtons(spec: FieldSpec): Button[] {
  return (spec.options ?? []).map((o) => ({ value: o.value, label: o.label }));
}

/** The question for a field; `problem` (why the last answer was refused) replaces the label line. */
export function fieldQuestion(spec: FieldSpec, problem?: Line): Question {
  const lines: Line[] = problem ? [problem] : [{ key: `${NS}ask.field`, args: { label: spec.label, hint: fieldHint(spec) } }];
  if (!spec.required) lines.push({ key: `${NS}hint.optional` });
  const buttons: Button[] = spec.type === 'select' ? optionButtons(spec) : [];
  if (!spec.required) buttons.push({ value: 'skip', key: `${NS}files.skip` });
  return { lines, ...(buttons.length ? { buttons } : {}) };
}

/** Riyadh's calendar day, yyyy-mm-dd. */
function riyadhToday(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Riyadh', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

function checkText(spec: FieldSpec, text: string): FieldCheck {
  const value = text.trim();
  if (latinOnly(spec.pattern) && ARABIC_LETTERS.test(value)) return { ok: false, problem: { key: `${NS}field.latinOnly` } };
  if (spec.minLength !== undefined && value.length < spec.minLength) return { ok: false, problem: { key: `${NS}field.tooShort`, args: { count: spec.minLength } } };
  if (spec.maxLength !== undefined && value.length > spec.maxLength) return { ok: false, problem: { key: `${NS}field.tooLong`, args: { count: spec.maxLength } } };
  const re = safePattern(spec.pattern);
  if (re && !re.test(value)) {
    const key = latinOnly(spec.pattern) ? `${NS}field.latinOnly` : `${NS}field.format`;
    return { ok: false, problem: { key, args: { label: spec.label, hint: fieldHint(spec) } } };
  }
  return { ok: true, value };
}

function checkDate(spec: FieldSpec, text: string, now: Date): FieldCheck {
  const date = extractEntities(text, now).date;
  if (!date) return { ok: false, problem: { key: `${NS}field.dateInvalid` } };
  const today = riyadhToday(now);
  const shown: Bilingual = { ar: formatBothCalendars(date.iso, 'ar'), en: formatBothCalendars(date.iso, 'en') };
  // What the field is about decides which side of today is possible.
  if (/birth/i.test(spec.name) && date.iso > today) return { ok: false, problem: { key: `${NS}field.dateFuture`, args: { date: shown } } };
  if (/expir/i.test(spec.name) && date.iso <= today) return { ok: false, problem: { key: `${NS}field.datePast`, args: { date: shown } } };
  return { ok: true, value: date.iso };
}

function checkId(text: string): FieldCheck {
  const found = extractEntities(text).idNumber;
  if (found) return { ok: true, value: found };
  // No valid number in the message: the reason comes from the longest digit run, or the whole text.
  const runs = toAsciiDigits(text).match(/\d[\d\s-]*\d|\d/g) ?? [];
  const longest = runs.map(compactDigits).sort((a, b) => b.length - a.length)[0];
  const check = checkIdNumber(longest ?? text);
  if (check.ok) return { ok: true, value: check.id };
  return { ok: false, problem: { key: `verify:idInvalid.${check.reason}` } };
}

function checkPassport(spec: FieldSpec, text: string): FieldCheck {
  const value = toAsciiDigits(text).replace(/[\s\-.]/g, '').toUpperCase();
  const re = safePattern(spec.pattern) ?? PASSPORT_DEFAULT;
  if (!re.test(value) || !PASSPORT_DEFAULT.test(value)) return { ok: false, problem: { key: `${NS}field.passportFormat` } };
  return { ok: true, value };
}

function checkNumber(spec: FieldSpec, text: string): FieldCheck {
  // "سنة" / "6 شهور" for a field counted in months.
  const months = /month/i.test(spec.name) ? extractEntities(text).months : undefined;
  const n = months ?? parseInteger(text);
  const range = spec.min !== undefined && spec.max !== undefined;
  if (n === undefined) return { ok: false, problem: range ? { key: `${NS}field.numberRange`, args: { min: spec.min!, max: spec.max! } } : { key: `${NS}field.numberInvalid` } };
  if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
    return { ok: false, problem: range ? { key: `${NS}field.numberRange`, args: { min: spec.min!, max: spec.max! } } : { key: `${NS}field.numberInvalid` } };
  }
  return { ok: true, value: String(n) };
}

function checkSelect(spec: FieldSpec, text: string): FieldCheck {
  const choices = (spec.options ?? []).map((o) => ({ value: o.value, synonyms: [o.label.ar, o.label.en] }));
  const found = findChoice(text, choices);
  return found ? { ok: true, value: found.value } : { ok: false, problem: { key: `${NS}field.selectInvalid` } };
}

/** Checks one answer for a field; the value is what the services API expects (dates yyyy-mm-dd). */
export function checkField(spec: FieldSpec, text: string, now: Date = new Date()): FieldCheck {
  if (!spec.required && isSkip(text)) return { ok: true, value: '' };
  if (text.trim() === '') return { ok: false, problem: { key: `${NS}field.required` } };
  switch (spec.type) {
    case 'text':
      return checkText(spec, text);
    case 'date':
      return checkDate(spec, text, now);
    case 'idNumber':
      return checkId(text);
    case 'passportNumber':
      return checkPassport(spec, text);
    case 'number':
      return checkNumber(spec, text);
    case 'select':
      return checkSelect(spec, text);
  }
}

/** A value as shown back to the person: dates in both calendars, options by label, ID numbers masked. */
export function displayValue(spec: FieldSpec, value: string, lang: Lang): string {
  if (value === '') return '—';
  switch (spec.type) {
    case 'date':
      return formatBothCalendars(value, lang);
    case 'idNumber':
      return maskId(value);
    case 'select':
      return spec.options?.find((o) => o.value === value)?.label[lang] ?? value;
    default:
      return value;
  }
}
