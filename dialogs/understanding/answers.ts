/**
 * Short answers to the bot's questions, in Arabic (MSA and Gulf dialect) and English:
 * yes/no, list positions and whole numbers. botbuilder's recognizers have no Arabic, so
 * prompts and the entity extractor both use these. Pure functions over the matching form.
 */
import { normalizeForMatching } from './normalize';

function words(text: string): string[] {
  return normalizeForMatching(text)
    .replace(/[^\p{L}\p{N}\s]+/gu, (m) => (/👍|✅|👌/u.test(m) ? ' yes ' : /👎|❌/u.test(m) ? ' no ' : ' '))
    .split(/\s+/)
    .filter(Boolean);
}

const YES = new Set([
  'نعم', 'اي', 'ايه', 'ايوه', 'ايوا', 'اكيد', 'تمام', 'اوكي', 'اوك', 'صح', 'صحيح', 'موافق', 'طيب', 'يب', 'اجل', 'بلي', 'زين', 'ابشر',
  'yes', 'yeah', 'yep', 'yup', 'sure', 'ok', 'okay', 'correct', 'right', 'confirm', 'confirmed', 'y',
]);
const NO = new Set(['لا', 'لاء', 'لأ', 'مو', 'مب', 'ماابي', 'مابي', 'ماابغي', 'مابغي', 'no', 'nope', 'nah', 'n', 'not', 'never']);
// Words that may accompany an answer without changing it ("نعم صحيح", "yes please", "لا شكرا").
const FILLER = new Set(['please', 'thanks', 'thank', 'you', 'شكرا', 'لو', 'سمحت', 'الله', 'يعطيك', 'العافيه', 'يا', 'اخوي', 'now', 'it', 'is', 'that', 'الحين', 'هذا', 'ذا']);

/** true for yes, false for no, undefined when unclear (or both). */
export function parseYesNo(text: string): boolean | undefined {
  const w = words(text);
  if (w.length === 0 || w.length > 5) return undefined;
  let yes = false;
  let no = false;
  for (const word of w) {
    if (YES.has(word)) yes = true;
    else if (NO.has(word)) no = true;
    else if (!FILLER.has(word)) return undefined;
  }
  if (w.join(' ') === 'not now') return false;
  return yes === no ? undefined : yes;
}

const ARABIC_ORDINALS: Array<[RegExp, number]> = [
  [/^(الاول|الاولي|اول|اولي|الاوله)$/, 1], [/^(الثاني|الثانيه|ثاني|ثانيه|التاني|التانيه)$/, 2],
  [/^(الثالث|الثالثه|ثالث|ثالثه|التالت|التالته)$/, 3], [/^(الرابع|الرابعه|رابع|رابعه)$/, 4],
  [/^(الخامس|الخامسه|خامس|خامسه)$/, 5], [/^(السادس|السادسه|سادس|سادسه)$/, 6], [/^(السابع|السابعه|سابع|سابعه)$/, 7],
  [/^(الثامن|الثامنه|ثامن|ثامنه)$/, 8], [/^(التاسع|التاسعه|تاسع|تاسعه)$/, 9], [/^(العاشر|العاشره|عاشر|عاشره)$/, 10],
  [/^(الاخير|الاخيره|last)$/, -1],
];
const ENGLISH_ORDINALS: Record<string, number> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  '1st': 1, '2nd': 2, '3rd': 3, '4th': 4, '5th': 5, '6th': 6, '7th': 7, '8th': 8, '9th': 9, '10th': 10,
};
// Words around a list position that do not change it ("رقم ٢", "the second one", "option 3").
const POSITION_FILLER = new Set(['the', 'one', 'number', 'no', 'option', 'choice', 'رقم', 'الخيار', 'خيار', 'اختار', 'ابي', 'ابغي', 'i', 'want', 'take', 'pick']);

/** 1-based list position ("2", "٢", "رقم ٢", "الثاني", "the second", "#3"); -1 means the last. */
export function parseOrdinal(text: string): number | undefined {
  const w = words(text.replace(/#/g, ' '));
  if (w.length === 0 || w.length > 4) return undefined;
  let found: number | undefined;
  for (const word of w) {
    let value: number | undefined = ENGLISH_ORDINALS[word];
    value ??= ARABIC_ORDINALS.find(([re]) => re.test(word))?.[1];
    if (value === undefined && /^\d{1,2}$/.test(word)) value = Number(word);
    if (value !== undefined) {
      if (found !== undefined) return undefined;
      found = value;
    } else if (!POSITION_FILLER.has(word)) return undefined;
  }
  return found !== undefined && found !== 0 ? found : undefined;
}

const ARABIC_NUMBERS: Record<string, number> = {
  صفر: 0, واحد: 1, واحده: 1, اثنين: 2, اثنان: 2, اتنين: 2, ثنين: 2, ثلاث: 3, ثلاثه: 3, تلاته: 3, اربع: 4, اربعه: 4,
  خمس: 5, خمسه: 5, ست: 6, سته: 6, سبع: 7, سبعه: 7, ثمان: 8, ثمانيه: 8, تسع: 9, تسعه: 9, عشر: 10, عشره: 10,
  احدعشر: 11, 'احد عشر': 11, 'اثنا عشر': 12, 'اثني عشر': 12, اطنعش: 12, عشرين: 20, ثلاثين: 30,
};
const ENGLISH_NUMBERS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, twenty: 20, thirty: 30,
};

/** A whole number written in digits (either digit set) or as a word ("ستة", "twelve"); "12 شهر" → 12. */
export function parseInteger(text: string): number | undefined {
  const normalized = normalizeForMatching(text);
  const digits = /(?<![\d.])(\d{1,9})(?![\d.])/.exec(normalized.replace(/,(?=\d{3})/g, ''));
  if (digits) return Number(digits[1]);
  for (const [phrase, value] of Object.entries(ARABIC_NUMBERS)) {
    if (phrase.includes(' ') && normalized.includes(phrase)) return value;
  }
  for (const word of words(normalized)) {
    const value = ARABIC_NUMBERS[word] ?? ENGLISH_NUMBERS[word];
    if (value !== undefined) return value;
  }
  return undefined;
}
