/**
 * Entities in a message, in Arabic or English: ID numbers (format and check digit),
 * request/ticket numbers, Saudi mobiles, dates (Gregorian, Umm al-Qura Hijri, relative),
 * durations in months, ordinals, yes/no, family relations and plain numbers. Works on the
 * matching form, so Arabic-Indic digits and letter variants are already unified.
 * `@microsoft/recognizers-text-suite` has no Arabic culture in JavaScript, so Arabic (and
 * day-first numeric dates, as written in the Kingdom) is handled here; English dates the
 * patterns here miss ("next Tuesday", "two weeks from now") go to recognizers-text.
 */
import umalquraModule from '@umalqura/core';
import { Culture, recognizeDateTime } from '@microsoft/recognizers-text-suite';
import { hasValidCheckDigit } from './idNumber';
import { normalizeForMatching } from './normalize';
import { parseInteger, parseOrdinal, parseYesNo } from './answers';
import type { Entities, Relation } from './types';

const DAY_MS = 86_400_000;

// The package is CommonJS with a default export; under ESM it arrives wrapped in `default`.
const uq = ((umalquraModule as unknown as { default?: typeof umalquraModule }).default ?? umalquraModule);

/** Digit runs with the separators people type inside numbers (spaces, dashes, dots). */
const DIGIT_RUN = /(?<![\d+])\+?\d[\d\s\-.]*\d(?!\d)/g;

/** "2026-12-05" or "05.12.2026" is a date, not a request number. */
const DATE_LIKE = /^\d{4}[-.]\d{1,2}[-.]\d{1,2}$|^\d{1,2}[-.]\d{1,2}[-.]\d{4}$/;

/**
 * Family relations by word, in the matching form: Arabic, Gulf dialect, English and Arabizi
 * ("zawjti", "binti"). A word also counts behind a proclitic («لزوجتي», «وبنتي», «للزوجه») or
 * with an English possessive or plural without its apostrophe ("wifes", "daughters").
 */
const RELATION_WORDS: Record<Relation, readonly string[]> = {
  wife: ['زوجتي', 'مرتي', 'حرمتي', 'الزوجه', 'زوجه', 'المدام', 'مدامتي', 'wife', 'wives', 'spouse', 'zawjti', 'zawjati', 'zawjty', 'zojti', 'zawgti', 'marti', 'mrti', 'hormti', '7ormti'],
  husband: ['زوجي', 'husband', 'zawji', 'zoji', 'zawgi'],
  son: ['ولدي', 'ابني', 'الولد', 'الابن', 'son', 'waladi', 'weldi', 'wldi', 'ibni', 'ebni'],
  daughter: ['بنتي', 'ابنتي', 'البنت', 'الابنه', 'daughter', 'binti', 'bnti', 'benti', 'ibnati'],
  father: ['ابوي', 'والدي', 'الوالد', 'ابويه', 'father', 'dad', 'abui', 'abooy', 'abuy', 'walidi'],
  mother: ['امي', 'والدتي', 'الوالده', 'امايه', 'mother', 'mom', 'mum', 'ummi', 'omi', 'ommi', 'walidti'],
  child: ['عيالي', 'اولادي', 'اطفالي', 'ابنائي', 'kids', 'children', 'child', '3yali', '3eyali', 'awladi'],
};
/** Relations said in more than one word («ام العيال» is the wife, not the mother). */
const RELATION_PHRASES: Array<[RegExp, Relation]> = [[/(^| )(ام|يا ام) (العيال|عيالي|الاولاد|اولادي|العيالي)( |$)/, 'wife']];

const RELATION_OF_WORD = new Map<string, Relation>(Object.entries(RELATION_WORDS).flatMap(([r, words]) => words.map((w) => [w, r as Relation] as const)));

/** The relation one word names, seen through a proclitic or an English possessive/plural. */
function relationOfWord(word: string): Relation | undefined {
  const direct = RELATION_OF_WORD.get(word);
  if (direct) return direct;
  const candidates: string[] = [];
  if (/^لل./.test(word)) candidates.push(`ال${word.slice(2)}`);
  if (/^(وال|بال|فال)./.test(word)) candidates.push(word.slice(1));
  if (/^[وفبل]../.test(word)) candidates.push(word.slice(1));
  if (/^و[لب]../.test(word)) candidates.push(word.slice(2));
  if (/^[a-z]{3,}s$/.test(word)) candidates.push(word.slice(0, -1));
  for (const c of candidates) {
    const found = RELATION_OF_WORD.get(c);
    if (found) return found;
  }
  return undefined;
}

const RELATION_ORDER: readonly Relation[] = ['wife', 'husband', 'son', 'daughter', 'father', 'mother', 'child'];

/** The family relation a message names (in the matching form), the first in RELATION_ORDER when several are. */
export function findRelation(text: string): Relation | undefined {
  const possessiveFree = text.replace(/['’]s\b/g, '');
  const named = new Set<Relation>();
  for (const [re, relation] of RELATION_PHRASES) if (re.test(possessiveFree)) return relation;
  for (const word of possessiveFree.split(/[^\p{L}\p{N}]+/u)) {
    const relation = word ? relationOfWord(word) : undefined;
    if (relation) named.add(relation);
  }
  return RELATION_ORDER.find((r) => named.has(r));
}

const GREGORIAN_MONTHS: Record<string, number> = {
  january: 1, jan: 1, يناير: 1, february: 2, feb: 2, فبراير: 2, march: 3, mar: 3, مارس: 3,
  april: 4, apr: 4, ابريل: 4, may: 5, مايو: 5, june: 6, jun: 6, يونيو: 6, july: 7, jul: 7, يوليو: 7,
  august: 8, aug: 8, اغسطس: 8, september: 9, sep: 9, sept: 9, سبتمبر: 9, october: 10, oct: 10,
  اكتوبر: 10, november: 11, nov: 11, نوفمبر: 11, december: 12, dec: 12, ديسمبر: 12,
};
/** Umm al-Qura month names as people type them (letter variants already unified). */
const HIJRI_MONTHS: Array<[RegExp, number]> = [
  [/محرم|muharram/, 1], [/صفر|safar/, 2], [/ربيع (الاول|اول)|rabi (al )?awwal/, 3],
  [/ربيع (الثاني|الاخر|ثاني)|rabi (al )?(thani|akhir)/, 4], [/جمادي (الاولي|الاول|اولي)|jumada (al )?ula/, 5],
  [/جمادي (الاخره|الثانيه|الاخر|ثاني)|jumada (al )?(akhirah|thani)/, 6], [/رجب|rajab/, 7], [/شعبان|shaban/, 8],
  [/رمضان|ramadan/, 9], [/شوال|shawwal/, 10], [/ذو القعده|ذي القعده|dhu al qadah|dhul qadah/, 11],
  [/ذو الحجه|ذي الحجه|dhu al hijjah|dhul hijjah/, 12],
];

// "15 جمادي الاخره 1448": built once, not on every message.
const NAMED_HIJRI_DATES: Array<[RegExp, number]> = HIJRI_MONTHS.map(([re, month]) => [
  new RegExp(`(?<day>\\d{1,2}) (?:من )?(?:${re.source})(?: (?<year>\\d{4}))?`),
  month,
]);

const UNIT_DAYS: Array<[RegExp, number]> = [
  [/^(يوم|ايام|days?)$/, 1], [/^(اسبوع|اسابيع|weeks?)$/, 7], [/^(شهر|شهور|اشهر|months?)$/, 30],
];

function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function validGregorian(y: number, m: number, d: number): Date | undefined {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date : undefined;
}

function hijriToIso(y: number, m: number, d: number): string | undefined {
  if (m < 1 || m > 12 || d < 1 || d > 30 || y < 1300 || y > 1600) return undefined;
  try {
    const g = uq(y, m, d).date;
    return iso(new Date(Date.UTC(g.getFullYear(), g.getMonth(), g.getDate())));
  } catch {
    return undefined;
  }
}

function dateOf(y: number, m: number, d: number, hijriMarked: boolean): Entities['date'] {
  if (hijriMarked || (y >= 1300 && y <= 1600)) {
    const h = hijriToIso(y, m, d);
    return h ? { iso: h, calendar: 'hijri' } : undefined;
  }
  const g = validGregorian(y, m, d);
  return g ? { iso: iso(g), calendar: 'gregorian' } : undefined;
}

function findDate(text: string, now: Date): Entities['date'] {
  const hijriMarked = /(^| )(هـ|ه|هجري|هجريه|ah|hijri)( |$)/.test(text);
  // yyyy-mm-dd or yyyy/mm/dd
  let m = /(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)/.exec(text);
  if (m) return dateOf(Number(m[1]), Number(m[2]), Number(m[3]), hijriMarked);
  // dd/mm/yyyy (day first, as written in the Kingdom)
  m = /(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)/.exec(text);
  if (m) return dateOf(Number(m[3]), Number(m[2]), Number(m[1]), hijriMarked);
  // "15 جمادي الاخره 1448" / "5 december 2026" / "december 5 2026"
  for (const [re, month] of NAMED_HIJRI_DATES) {
    const named = re.exec(text)?.groups;
    if (named) return dateOf(named.year ? Number(named.year) : uq(now).hy, month, Number(named.day), true);
  }
  const g = /(?<!\d)(\d{1,2}) (?:of )?([a-z]+|[\u0621-\u064a]+),? (\d{4})(?!\d)|([a-z]+) (\d{1,2}),? (\d{4})/.exec(text);
  if (g) {
    const [day, name, year] = g[1] ? [g[1], g[2], g[3]] : [g[5], g[4], g[6]];
    const month = GREGORIAN_MONTHS[name ?? ''];
    if (month) return dateOf(Number(year), month, Number(day), false);
  }
  return relativeDate(text, now) ?? englishDate(text, now);
}

// Only messages that look like they carry an English date pay for recognizers-text.
const WEEKDAY = '(monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
const ENGLISH_DATE_HINT = new RegExp(`\\b((next|last|this|coming) (${WEEKDAY}|week|month|year)|${WEEKDAY}|from now|ago|\\d+(st|nd|rd|th) of|(january|february|march|april|june|july|august|september|october|november|december) \\d|\\d (january|february|march|april|june|july|august|september|october|november|december))\\b`);

function englishDate(text: string, now: Date): Entities['date'] {
  if (!ENGLISH_DATE_HINT.test(text)) return undefined;
  for (const result of recognizeDateTime(text, Culture.English, undefined, now)) {
    const values = (result.resolution as { values?: Array<{ type?: string; value?: string }> } | undefined)?.values ?? [];
    // Ambiguous dates ("5th of December") come past and future: the future one is meant.
    const dates = values.filter((v) => v.type === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(v.value ?? ''));
    const value = dates[dates.length - 1]?.value;
    if (value) return { iso: value, calendar: 'gregorian' };
  }
  return undefined;
}

function relativeDate(text: string, now: Date): Entities['date'] {
  const base = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const at = (days: number): Entities['date'] => ({ iso: iso(new Date(base + days * DAY_MS)), calendar: 'gregorian' });
  if (/(^| )(اليوم|today)( |$)/.test(text)) return at(0);
  if (/(^| )(بكره|بكرا|غدا|باكر|tomorrow)( |$)/.test(text)) return at(1);
  if (/(^| )(امس|البارحه|yesterday)( |$)/.test(text)) return at(-1);
  if (/بعد بكره|day after tomorrow/.test(text)) return at(2);
  if (/(^| )بعد (يومين)( |$)/.test(text)) return at(2);
  if (/(^| )بعد (اسبوعين)( |$)|in two weeks/.test(text)) return at(14);
  if (/(^| )بعد (اسبوع)( |$)|next week|الاسبوع (الجاي|القادم)/.test(text)) return at(7);
  if (/(^| )بعد (شهر)( |$)|next month|الشهر (الجاي|القادم)/.test(text)) return at(30);
  const rel = /(?:بعد|خلال|in|after) (\S+(?: و\S+)?) (\S+)/.exec(text);
  if (rel) {
    const n = parseInteger(rel[1] ?? '');
    const unit = UNIT_DAYS.find(([re]) => re.test(rel[2] ?? ''))?.[1];
    if (n !== undefined && unit !== undefined && n > 0 && n <= 3650) return at(n * unit);
  }
  return undefined;
}

function findMonths(text: string): number | undefined {
  if (/(^| )(سنتين|عامين|two years|2 years)( |$)/.test(text)) return 24;
  if (/(^| )(سنه|عام|year|one year|1 year|a year)( |$)/.test(text) && !/\d+ (سنوات|سنين|years)/.test(text)) return 12;
  const years = /(\S+) (سنوات|سنين|years)/.exec(text);
  if (years) {
    const n = parseInteger(years[1] ?? '');
    if (n !== undefined && n > 0 && n <= 10) return n * 12;
  }
  const months = /(\S+) (شهر|شهور|اشهر|months?)/.exec(text);
  if (months) {
    const n = parseInteger(months[1] ?? '');
    if (n !== undefined && n > 0 && n <= 120) return n;
  }
  if (/(^| )(شهرين|two months)( |$)/.test(text)) return 2;
  return undefined;
}

/** Digits only; undefined when the run mixes in too many separators to be one number. */
function digitsOf(run: string): string {
  return run.replace(/[\s\-.]/g, '');
}

/**
 * Entities in a message. `now` anchors relative dates ("بعد ثلاثة أيام") and the current
 * Hijri year; tests pass a fixed date.
 */
export function extractEntities(raw: string, now: Date = new Date()): Entities {
  const text = normalizeForMatching(raw);
  const entities: Entities = {};

  for (const match of text.matchAll(DIGIT_RUN)) {
    const run = match[0];
    const plus = run.startsWith('+');
    const digits = digitsOf(run.replace('+', ''));
    if (/^(00)?9665\d{8}$/.test(digits) || (plus && /^9665\d{8}$/.test(digits))) {
      entities.mobile ??= `+${digits.replace(/^00/, '')}`;
    } else if (/^05\d{8}$/.test(digits)) {
      entities.mobile ??= `+966${digits.slice(1)}`;
    } else if (/^[12]\d{9}$/.test(digits) && hasValidCheckDigit(digits)) {
      entities.idNumber ??= digits;
    } else if (/^\d{5,12}$/.test(digits) && !DATE_LIKE.test(run.trim())) {
      entities.requestNumber ??= digits;
    }
  }

  const date = findDate(text, now);
  if (date) entities.date = date;
  const months = findMonths(text);
  if (months !== undefined) entities.months = months;
  const relation = findRelation(text);
  if (relation) entities.relation = relation;

  const words = text.split(' ').length;
  // Yes/no and list positions are answers to a question: only short messages carry them.
  if (words <= 5) {
    const yesNo = parseYesNo(raw);
    if (yesNo !== undefined) entities.yesNo = yesNo;
    const ordinal = parseOrdinal(raw);
    if (ordinal !== undefined) entities.ordinal = ordinal;
    const number = parseInteger(raw);
    if (number !== undefined && !entities.requestNumber && !entities.idNumber && !entities.mobile) entities.number = number;
  }
  return entities;
}
