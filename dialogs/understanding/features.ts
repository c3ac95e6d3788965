/**
 * Turns a message into the sparse features the classifier compares: character n-grams
 * across word boundaries (robust to dialect spellings, typos, clitics such as و/ال/ب and
 * Arabizi) plus whole words. Long digit runs become one placeholder so that "track
 * 400000101" and "track 700000104" look alike.
 */
import { normalizeForMatching } from './normalize';

const NON_WORD_OR_NUMBER_TOKEN = /[^\p{L}\p{N}§]+/gu;
const LONG_NUMBER = /\d{5,}/g;
const NUMBER_TOKEN = '§';

/** The text the classifier sees: the matching form without punctuation or emoji. */
export function classifierText(text: string): string {
  return normalizeForMatching(text)
    .replace(LONG_NUMBER, ` ${NUMBER_TOKEN} `)
    .replace(NON_WORD_OR_NUMBER_TOKEN, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface FeatureOptions {
  minN: number;
  maxN: number;
}

export const DEFAULT_FEATURES: FeatureOptions = { minN: 2, maxN: 4 };

/** Whole-word and word-pair features (as opposed to character n-grams). */
export const isWordFeature = (f: string) => f.startsWith('w:') || f.startsWith('b:');

/** Feature counts of one classifier text. */
export function featuresOf(text: string, options: FeatureOptions = DEFAULT_FEATURES): Map<string, number> {
  const { minN, maxN } = options;
  const counts = new Map<string, number>();
  const add = (f: string) => counts.set(f, (counts.get(f) ?? 0) + 1);
  const padded = ` ${text} `;
  for (let n = minN; n <= maxN; n++) {
    for (let i = 0; i + n <= padded.length; i++) {
      const gram = padded.slice(i, i + n);
      if (gram.trim()) add(gram);
    }
  }
  const words = text.split(' ').filter(Boolean);
  for (const w of words) add(`w:${w}`);
  for (let i = 0; i + 1 < words.length; i++) add(`b:${words[i]} ${words[i + 1]}`);
  return counts;
}
