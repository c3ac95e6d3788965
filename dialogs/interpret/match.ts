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

function unique(hits: boolean[]): number | undefined {
  const found = hits.flatMap((hit, index) => (hit ? [index] : []));
  return found.length === 1 ? found[0] : undefined;
}

export function matchOption(text: string, options: readonly StepOption[]): OptionMatch | undefined {
  const answer = matchKey(text);
  if (!answer || options.length === 0) return undefined;
  const names = options.map((o) => [o.value, ...o.names].map(matchKey).filter(Boolean));
  const at = (index: number, score: number): OptionMatch => ({ value: options[index]!.value, index, score });

  const exact = names.findIndex((n) => n.includes(answer));
  if (exact >= 0) return at(exact, 1);

  const ordinal = parseOrdinal(text);
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
