/**
 * Which option an answer names: its title, value or a synonym (exact; all of the option's
 * words inside the answer; the answer inside exactly one title), its place in the list
 * ("2", "٢", "الثاني", "the last"), or loosely — every content word of the answer matching a
 * word of exactly one title by stem or one typo ("استفسار عام" → «الاستفسارات العامة»).
 * Pure: prompts (findChoice) and the interpreter use the same rules.
 */
import { parseOrdinal } from '../understanding/answers';
import { normalizeForMatching } from '../understanding/normalize';
import type { StepOption } from './expectation';

export interface OptionMatch {
  value: string;
  index: number;
  score: number;
}

const PUNCTUATION = /[^\p{L}\p{N}\s]+/gu;
export const matchKey = (text: string): string => normalizeForMatching(text).replace(PUNCTUATION, ' ').replace(/\s+/g, ' ').trim();

/** Words that carry no choice of their own ("ابي استفسار عام" → "استفسار عام"). */
const FILLER = new Set([
  'ابي', 'ابغي', 'ابغا', 'اريد', 'ودي', 'بغيت', 'لو', 'سمحت', 'عن', 'في', 'علي', 'من', 'الي', 'و', 'يا', 'طيب', 'اختار', 'خيار', 'نوع', 'قسم',
  'i', 'want', 'the', 'a', 'an', 'about', 'for', 'my', 'please', 'option', 'pick', 'choose', 'one', 'section', 'type', 'of', 'to', 'it', 'is',
]);

/** A rough Arabic/English stem: without the article, common suffixes and a plural s. */
function stem(word: string): string {
  let w = word;
  if (/^(وال|بال|فال|لل)/.test(w) && w.length > 5) w = w.slice(w.startsWith('لل') ? 2 : 3);
  else if (w.startsWith('ال') && w.length > 4) w = w.slice(2);
  w = w.replace(/(ات|ون|ين|يه|ه|ي)$/, (m) => (w.length - m.length >= 3 ? '' : m));
  if (/^[a-z]{3,}ies$/.test(w)) w = `${w.slice(0, -3)}y`;
  else if (/^[a-z]{4,}s$/.test(w)) w = w.slice(0, -1);
  return w;
}

/** Edit distance of at most one (a typo: one letter missing, extra or wrong). */
function oneEditApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

function wordsMatch(answerWord: string, titleWord: string): boolean {
  if (answerWord === titleWord) return true;
  const a = stem(answerWord);
  const b = stem(titleWord);
  if (a === b) return true;
  if (a.length >= 3 && b.length >= 3 && (b.startsWith(a) || a.startsWith(b))) return true;
  return a.length >= 4 && b.length >= 4 && oneEditApart(a, b);
}

/**
 * Words that negate the word after them: «ما سددت», «مو الحين», "haven't paid", "not paid".
 * A bare leading «لا» / "no" is not one of them: it answers the question («لا، بنتي ليلى»).
 */
const NEGATORS = new Set(['ما', 'مو', 'مب', 'مش', 'لم', 'لن', 'ليس', 'ماني', 'مانيب', 'بدون', 'not', 'never', 'without', 'dont', 'didnt', 'havent', 'hasnt', 'isnt', 'wasnt', 'cant', 'wont', 'aint']);
/** Words that may stand between a negator and what it negates («ما قد سددت», "have not yet paid"). */
const NEGATION_GAP = new Set(['قد', 'بعد', 'للحين', 'لسه', 'لسا', 'انا', 'i', 'have', 'has', 'had', 'did', 'do', 'does', 'yet', 'even', 'ever', 'really', 'been', 'any', 'it', 'the', 'my', 'a', 'an', 'your', 'انه', 'انها']);

/** The words a message negates, in the matching form ("I haven't paid yet" → {paid}). */
export function negatedWords(text: string): Set<string> {
  const words = matchKey(text.replace(/n['’]t\b/gi, ' not')).split(' ');
  const negated = new Set<string>();
  let open = false;
  for (const w of words) {
    if (NEGATORS.has(w)) open = true;
    else if (open && !NEGATION_GAP.has(w)) {
      negated.add(w);
      open = false;
    }
  }
  return negated;
}

/** Whether the answer negates this name: a word of it follows a negator, and the name itself says no negation. */
function negates(negated: ReadonlySet<string>, name: string): boolean {
  if (negated.size === 0) return false;
  const words = name.split(' ');
  if (words.some((w) => NEGATORS.has(w))) return false;
  return words.some((w) => [...negated].some((n) => wordsMatch(n, w)));
}

/** The options whose names the answer negates ("لا ما سددت" negates «سددت»): never read as that option. */
export function negatedOptions(text: string, options: readonly StepOption[]): number[] {
  const negated = negatedWords(text);
  if (negated.size === 0) return [];
  return options.flatMap((o, index) => ([o.value, ...o.names].map(matchKey).some((name) => name && negates(negated, name)) ? [index] : []));
}

function unique(hits: boolean[]): number | undefined {
  const found = hits.flatMap((hit, index) => (hit ? [index] : []));
  return found.length === 1 ? found[0] : undefined;
}

export function matchOption(text: string, options: readonly StepOption[]): OptionMatch | undefined {
  const answer = matchKey(text);
  if (!answer || options.length === 0) return undefined;
  // A name the answer negates is no way of naming that option ("I haven't paid" is not "paid").
  const negated = negatedWords(text);
  const names = options.map((o) => [o.value, ...o.names].map(matchKey).filter((name) => name && !negates(negated, name)));
  const at = (index: number, score: number): OptionMatch => ({ value: options[index]!.value, index, score });

  const exact = names.findIndex((n) => n.includes(answer));
  if (exact >= 0) return at(exact, 1);

  const ordinal = negated.size ? undefined : parseOrdinal(text);
  if (ordinal !== undefined) {
    const index = ordinal === -1 ? options.length - 1 : ordinal - 1;
    if (index >= 0 && index < options.length) return at(index, 1);
  }

  const words = answer.split(' ');
  const wordSet = new Set(words);
  const within = unique(names.map((n) => n.some((name) => name.split(' ').every((w) => wordSet.has(w)))));
  if (within !== undefined) return at(within, 0.9);

  if (answer.length >= 2) {
    const containing = unique(names.map((n) => n.some((name) => name.includes(answer))));
    if (containing !== undefined) return at(containing, 0.8);
  }

  // Loosely: every content word of a short answer matches a word of the title.
  const content = words.filter((w) => !FILLER.has(w));
  if (content.length === 0 || content.length > 4) return undefined;
  const loose = unique(names.map((n) => n.some((name) => content.every((w) => name.split(' ').some((tw) => wordsMatch(w, tw))))));
  return loose === undefined ? undefined : at(loose, 0.7);
}
