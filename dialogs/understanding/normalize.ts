/**
 * Text normalisation for matching (never for storage or display: callers keep the original).
 * Shared by the turn middleware, the recognizer, prompts and validators so that every
 * part of the bot sees the same canonical form.
 */

const ARABIC_INDIC_ZERO = 0x0660; // ٠
const PERSIAN_ZERO = 0x06f0; // ۰

/** Arabic-Indic (٠-٩) and Persian/Urdu (۰-۹) digits to ASCII; Arabic decimal/thousands marks too. */
export function toAsciiDigits(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= ARABIC_INDIC_ZERO && code <= ARABIC_INDIC_ZERO + 9) out += String(code - ARABIC_INDIC_ZERO);
    else if (code >= PERSIAN_ZERO && code <= PERSIAN_ZERO + 9) out += String(code - PERSIAN_ZERO);
    else if (ch === '\u066b') out += '.'; // Arabic decimal separator
    else if (ch === '\u066c') out += ','; // Arabic thousands separator
    else out += ch;
  }
  return out;
}

// Harakat, tanween, shadda, sukun, superscript alef, Quranic marks.
const DIACRITICS = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]/g;
const TATWEEL = /\u0640/g;
// Zero-width and bidi control characters that users paste from other apps.
const INVISIBLES = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Removes diacritics and tatweel and unifies letter variants that people type interchangeably. */
export function normalizeArabicLetters(text: string): string {
  return text
    .replace(DIACRITICS, '')
    .replace(TATWEEL, '')
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ى/g, 'ي')
    .replace(/ة/g, 'ه')
    .replace(/ؤ/g, 'و')
    .replace(/ئ/g, 'ي')
    .replace(/گ/g, 'ك')
    .replace(/ک/g, 'ك')
    .replace(/ی/g, 'ي');
}

/**
 * The canonical matching form: NFKC, invisibles dropped, digits to ASCII, Arabic letter
 * variants unified, Latin lower-cased, Arabic punctuation mapped to ASCII, spaces collapsed.
 */
export function normalizeForMatching(text: string): string {
  // One message is normalised by the language step, the recognizer, the entity and answer
  // parsers and the prompt matchers in turn: remember the last few results.
  const cached = recent.get(text);
  if (cached !== undefined) return cached;
  const result = normalizeUncached(text);
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(text, result);
  return result;
}

const RECENT_MAX = 64;
const recent = new Map<string, string>();

function normalizeUncached(text: string): string {
  const unified = normalizeArabicLetters(toAsciiDigits(text.normalize('NFKC').replace(INVISIBLES, '')));
  return unified
    .replace(/[،]/g, ',')
    .replace(/[؟]/g, '?')
    .replace(/[؛]/g, ';')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

export type Lang = 'ar' | 'en';

const ARABIC_LETTER = /[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff]/g;
const LATIN_LETTER = /[a-zA-Z]/g;

// Digits standing for Arabic letters inside a Latin word (3 = ع, 7 = ح, 2 = ء, 5 = خ, 6 = ط, 9 = ق),
// but not English ordinals ("2nd") or codes ("SV1020").
const ARABIZI_DIGIT_WORD = /\b(?!\d(?:st|nd|rd|th)\b)(?:[a-z]+[235679][a-z]+|[235679][a-z]{2,})\b/i;
// Words that are Arabic in Latin letters and not English.
const ARABIZI_WORDS = /\b(wesh|wsh|abi|abgha|abga|kaif|kef|shlon|ya3ni|yaani|mumkin|momkin|inshallah|talabi|iqamti|jawazi|zawjti|waladi|binti|ajaded|ajadid|shukran|salam|marhaba|ahlan)\b/i;

/** Arabic written in Latin letters ("wesh sar 3la talabi"): the reply should be in Arabic. */
export function isArabizi(text: string): boolean {
  return ARABIZI_DIGIT_WORD.test(text) || ARABIZI_WORDS.test(text);
}

/**
 * The language a message is written in, or undefined when it carries no letters (digits,
 * emoji). Mixed messages count letters: Arabic wins ties because a Saudi user who mixes in
 * English words ("ابي اجدد iqama") is still writing Arabic.
 */
export function detectLanguage(text: string): Lang | undefined {
  const arabic = text.match(ARABIC_LETTER)?.length ?? 0;
  const latin = text.match(LATIN_LETTER)?.length ?? 0;
  if (arabic === 0 && latin === 0) return undefined;
  if (arabic === 0) return isArabizi(text) ? 'ar' : 'en';
  if (latin === 0) return 'ar';
  return arabic * 2 >= latin ? 'ar' : 'en';
}
