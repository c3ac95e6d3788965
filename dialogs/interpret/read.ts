/**
 * Reads one message against the open step: the answer it gives (a value taken from a whole
 * sentence, in Arabic, Gulf dialect, Arabizi or English, either digit set), or a correction
 * of a field collected earlier (with its new value, or naming the field only). Pure; the
 * interpreter and the prompts call the same function, so they never disagree.
 */
import { extractEntities } from '../understanding/entities';
import { parseYesNo } from '../understanding/answers';
import { normalizeForMatching, toAsciiDigits } from '../understanding/normalize';
import type { Entities } from '../understanding/types';
import type { CorrectableField, Expectation } from './expectation';
import { matchKey, matchOption, negatedOptions, negatedWords } from './match';

export type Reading =
  | { type: 'answer'; value: string | number | boolean; index?: number }
  | { type: 'correction'; field: string; value?: string | number };

/** Words that say "that was wrong, change it" ("غلطت", "بدال", "خلها", "change … to"). */
const CHANGE = /(^| )(غلط|غلطت|غلطان|خطا|بدل|بدال|خلها|خليها|خله|خليه|اغير|ابغي اغير|غير|غيرت|تغيير|عدل|اعدل|صحح|change|wrong|instead|actually|make it|switch|update|correct)( |$)/;
const YES_WORDS = /^(نعم|اي|ايه|ايوه|ايوا|اكيد|تمام|اوكي|صح|صحيح|صحيحه|مضبوط|موافق|yes|yeah|yep|sure|ok|okay|correct|right)$/;
const NO_WORDS = /^(لا|لاء|مو|مب|no|nope|nah)$/;

/** Yes/no, also when a short sentence starts with it ("ايه صحيحة", "yes that's right"). */
export function looseYesNo(text: string): boolean | undefined {
  const exact = parseYesNo(text);
  if (exact !== undefined) return exact;
  const words = matchKey(text).split(' ').filter(Boolean);
  if (words.length === 0 || words.length > 5) return undefined;
  // A leading "no" decides ("لا مو صحيح"); a leading "yes" only when no "no" follows ("ايه لا" is unclear).
  if (NO_WORDS.test(words[0]!)) return false;
  if (YES_WORDS.test(words[0]!)) return words.some((w) => NO_WORDS.test(w)) ? undefined : true;
  return undefined;
}

/** The value a correction carries; for a relation, the last one named ("مو زوجتي، بنتي" → daughter). */
function fieldValue(field: CorrectableField, entities: Entities, text: string): string | number | undefined {
  if (field.value === 'months') return entities.months;
  if (field.value === 'date') return entities.date?.iso;
  if (field.value === 'passport') return findPassportNumber(text);
  if (field.value === 'none') return undefined;
  const parts = normalizeForMatching(text).split(/[،,.؛;]| بل | but /);
  for (let i = parts.length - 1; i >= 0; i--) {
    const relation = extractEntities(parts[i]!).relation;
    if (relation) return relation;
  }
  return entities.relation;
}

function names(field: CorrectableField, text: string): boolean {
  const n = ` ${matchKey(text)} `;
  return field.words.some((w) => n.includes(` ${matchKey(w)} `));
}

/** Entities of a message without the words it negates («مو زوجتي، بنتي» → daughter). */
function affirmedEntities(text: string): Entities {
  const negated = negatedWords(text);
  return extractEntities(matchKey(text).split(' ').filter((w) => !negated.has(w)).join(' '));
}

const DIGITS = /\d[\d\s\-.]*\d/g;
/** A passport number as written: up to three Latin letters then 5–9 digits ("A28841937", "z 4471290"). */
const PASSPORT = /(?:^|[^A-Za-z0-9])([A-Za-z]{1,3}\s?\d{5,9}|\d{6,9})(?![A-Za-z0-9])/;

/** The passport number a message carries, upper-case, spaces removed ("رقمه a 2884193" → "A2884193"). */
export function findPassportNumber(text: string): string | undefined {
  const m = PASSPORT.exec(toAsciiDigits(text));
  return m ? m[1]!.replace(/\s/g, '').toUpperCase() : undefined;
}

/** The longest digit run of a message, separators removed ("٢٣٤ ٥٦٧ ٨٩٠٤" → "2345678904"). */
function longestDigits(text: string): string | undefined {
  const runs = [...normalizeForMatching(text).matchAll(DIGITS)].map((m) => m[0].replace(/[\s\-.]/g, ''));
  return runs.sort((a, b) => b.length - a.length)[0];
}

function readAnswer(text: string, expect: Expectation, entities: Entities, hasFiles: boolean): Reading | undefined {
  const options = expect.options ?? [];
  const option = (value: string): Reading | undefined => {
    const index = options.findIndex((o) => o.value === value);
    return index >= 0 ? { type: 'answer', value, index } : undefined;
  };
  const picked = (): Reading | undefined => {
    const found = matchOption(text, options);
    if (found) return { type: 'answer', value: found.value, index: found.index };
    // A negated option is never that option; where the step has a "no" («لا ما سددت» at the
    // payment question: "later"), the negation is that answer.
    const denied = negatedOptions(text, options);
    if (denied.length > 0) {
      const no = expect.no === undefined ? -1 : options.findIndex((o) => o.value === expect.no);
      return no >= 0 && !denied.includes(no) ? option(expect.no!) : undefined;
    }
    // Values read from what the message affirms: «مو زوجتي» names no one.
    const affirmed = negatedWords(text).size ? affirmedEntities(text) : entities;
    if (affirmed.relation) {
      const related = options.filter((o) => o.relations?.includes(affirmed.relation!));
      if (related.length === 1) return option(related[0]!.value);
    }
    if (affirmed.months !== undefined) {
      const timed = options.find((o) => o.months === affirmed.months);
      if (timed) return option(timed.value);
    }
    const yesNo = looseYesNo(text);
    const meant = yesNo === undefined ? undefined : yesNo ? expect.yes : expect.no;
    return meant ? option(meant) : undefined;
  };

  switch (expect.kind) {
    case 'text':
      return text.trim() ? { type: 'answer', value: text } : undefined;
    case 'yesno': {
      const yesNo = looseYesNo(text);
      return yesNo === undefined ? undefined : { type: 'answer', value: yesNo };
    }
    case 'choice':
    case 'duration':
      return picked() ?? (expect.kind === 'duration' && entities.months !== undefined && options.length === 0 ? { type: 'answer', value: entities.months } : undefined);
    case 'date':
      return entities.date ? { type: 'answer', value: entities.date.iso } : undefined;
    case 'file':
      return hasFiles ? { type: 'answer', value: 'files' } : picked();
    case 'number': {
      const fromOptions = options.length ? picked() : undefined;
      if (fromOptions) return fromOptions;
      if (expect.number === 'id' && entities.idNumber) return { type: 'answer', value: entities.idNumber };
      if (expect.number === 'request' && entities.requestNumber) return { type: 'answer', value: entities.requestNumber };
      if (expect.number === 'passport') {
        const passport = findPassportNumber(text);
        if (passport) return { type: 'answer', value: passport };
      }
      // Digits that cannot be valid are still an answer: the step says what is wrong with them.
      const digits = longestDigits(text) ?? (/^\d$/.test(normalizeForMatching(text).trim()) ? normalizeForMatching(text).trim() : undefined);
      return digits ? { type: 'answer', value: digits } : undefined;
    }
  }
}

/**
 * The answer or correction a message carries for the step, or undefined. A correction that
 * carries its value wins over a choice that only names the field ("change the duration to
 * 6 months" at the review is the change, not the "change the duration" button).
 */
export function readStep(text: string, expect: Expectation, entities: Entities = extractEntities(text), hasFiles = false): Reading | undefined {
  if (expect.kind === 'text') return readAnswer(text, expect, entities, hasFiles);
  const n = normalizeForMatching(text);
  // "No, …" followed by a value is a correction too («لا مو زوجتي، بنتي ليلى»).
  const changing = CHANGE.test(n) || /^(لا|لاء|مو|no|nope|nah)( |$)/.test(n);
  const short = matchKey(text).split(' ').length <= 4;
  for (const field of expect.fields ?? []) {
    const named = names(field, text);
    if (field.needsName && !named) continue;
    const value = fieldValue(field, entities, text);
    if (value !== undefined && (changing || short || named)) return { type: 'correction', field: field.name, value };
  }
  const answer = readAnswer(text, expect, entities, hasFiles);
  if (answer) return answer;
  for (const field of expect.fields ?? []) {
    if (names(field, text) && (changing || short)) return { type: 'correction', field: field.name };
  }
  return undefined;
}
