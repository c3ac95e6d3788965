/**
 * What a person wants to look up, from their words: a request or ticket number (in any form:
 * spaces, dashes, Arabic-Indic digits, inside a sentence), their own iqama, their
 * dependents' iqamas (maybe one relation: "متى تخلص إقامة زوجتي") or their exit/re-entry
 * visas; and, for a number, why it cannot be one (too short, too long, an ID number, wrong
 * first digit). Pure functions over the matching form (normalizeForMatching).
 */
import type { Translate } from '../deps';
import { extractEntities } from '../understanding/entities';
import { parseOrdinal } from '../understanding/answers';
import { normalizeForMatching } from '../understanding/normalize';
import type { Entities, Relation } from '../understanding/types';
import { isRequestNumber } from '../../adapters/services/types';

export type LookupKind = 'request' | 'myIqama' | 'dependents' | 'visas';
/** In the order of the buttons (a typed "2" means the second). */
export const LOOKUP_KINDS: readonly LookupKind[] = ['request', 'myIqama', 'dependents', 'visas'];

export interface LookupTarget {
  kind: LookupKind;
  /** The message that carried digits meant as the number, to check with checkRequestNumber. */
  numberText?: string;
  relation?: Relation;
  /** A first name the person gave ("and Omar's?"): the answer is narrowed to whoever it names. */
  person?: string;
}

export type NumberProblem = 'none' | 'tooShort' | 'tooLong' | 'isId' | 'prefix';
export type NumberCheck = { ok: true; number: string } | { ok: false; problem: NumberProblem; number?: string };

// «بمعاملتي», «بطلبي»: a clinging preposition or «و» does not hide the word.
const REQUEST_WORDS = /(^| )([بلو]?(طلب|طلبي|الطلب|طلبات|معامله|معاملتي|المعامله|تذكره|التذكره|تذكرتي)|رقم الطلب|request|requests|application|ticket|transaction)( |$)/;
const VISA_WORDS = /تاشير|خروج و ?عوده|(^| )(visa|visas|re ?entry|exit re ?entry)( |$)/;
const DEPENDENT_WORDS = /(^| )(تابع|تابعي|تابعين|التابعين|التابعين لي|المرافقين|مرافقيني|عيالي|اولادي|ابنائي|اطفالي|اسرتي|عايلتي|اهلي|dependents?|family|kids|children)( |$)|اقامات/;
const MY_IQAMA = /(^| )(اقامتي|هويتي|iqamti|iqamati)( |$)|\bmy (iqama|residency|residence permit|resident id)\b|\b(iqama|residency)\b.*\b(my|mine|i)\b|\b(my|i)\b.*\b(iqama|residency)\b/;
const IQAMA_WORDS = /اقام|هويه مقيم|iqama|residency|residence permit/;

/** Digit runs with separators inside, as people type numbers ("400 000 101", "700-000-104"). */
const DIGIT_RUN = /\d[\d\s\-.]*\d|\d/g;

/** The request or ticket number in a message, or why there is none that can be one. */
export function checkRequestNumber(text: string, entities: Entities = extractEntities(text)): NumberCheck {
  const candidate = entities.requestNumber;
  if (candidate) {
    if (isRequestNumber(candidate)) return { ok: true, number: candidate };
    if (candidate.length < 9) return { ok: false, problem: 'tooShort', number: candidate };
    if (candidate.length > 9) return { ok: false, problem: 'tooLong', number: candidate };
    return { ok: false, problem: 'prefix', number: candidate };
  }
  if (entities.idNumber) return { ok: false, problem: 'isId' };
  // Shorter than the extractor's 5 digits, or a mobile number: still a wrong number, not "no number".
  const runs = [...normalizeForMatching(text).matchAll(DIGIT_RUN)].map((m) => m[0].replace(/[\s\-.]/g, ''));
  const longest = runs.sort((a, b) => b.length - a.length)[0];
  if (!longest) return { ok: false, problem: 'none' };
  return { ok: false, problem: longest.length < 9 ? 'tooShort' : 'tooLong', number: longest };
}

/**
 * What the first message (or a free-text answer) asks for, or undefined when it does not
 * say. A number wins; then visas; then anything about a request; then the dependents
 * (a named relation counts when it comes with an iqama); then the person's own iqama.
 */
export function detectLookup(text: string, entities: Entities = extractEntities(text)): LookupTarget | undefined {
  const n = normalizeForMatching(text).replace(/[?!.,;:'’]/g, ' ').replace(/\s+/g, ' ');
  if (entities.requestNumber || entities.idNumber) return { kind: 'request', numberText: text };
  if (VISA_WORDS.test(n)) return { kind: 'visas' };
  // "طلبي 1234": a number too short to be one still deserves the reason, not the question again.
  if (REQUEST_WORDS.test(n)) return { kind: 'request', ...(/\d{3,}/.test(n) ? { numberText: text } : {}) };
  if (DEPENDENT_WORDS.test(n) || (entities.relation && IQAMA_WORDS.test(n))) {
    return { kind: 'dependents', ...(entities.relation ? { relation: entities.relation } : {}) };
  }
  if (MY_IQAMA.test(n)) return { kind: 'myIqama' };
  return undefined;
}

/** Button title of a lookup kind. */
export function optionKey(kind: LookupKind): string {
  return `status:options.${kind}`;
}

/**
 * The answer to "what would you like to look up?": a button title (either language), its
 * position ("2", "٢", "الثاني"), a number typed straight away, or words that say it.
 */
export function recognizeLookupChoice(t: Translate, text: string): LookupTarget | undefined {
  const n = normalizeForMatching(text);
  for (const kind of LOOKUP_KINDS) {
    if ((['ar', 'en'] as const).some((lang) => normalizeForMatching(t(lang, optionKey(kind))) === n)) return { kind };
  }
  const entities = extractEntities(text);
  // A bare 1-4 is a position; anything longer is a number to look up.
  const position = /^\D*\d{1,2}\D*$/.test(n) || !/\d/.test(n) ? parseOrdinal(text) : undefined;
  if (position !== undefined && position >= 1 && position <= LOOKUP_KINDS.length) return { kind: LOOKUP_KINDS[position - 1]! };
  if (/\d{3,}/.test(n.replace(/[\s\-.]/g, ''))) return { kind: 'request', numberText: text };
  return detectLookup(text, entities) ?? (IQAMA_WORDS.test(n) ? { kind: 'myIqama' } : undefined);
}
