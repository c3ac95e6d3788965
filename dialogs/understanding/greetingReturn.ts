/**
 * The greeting a message opens with, so the bot can return it in kind: «السلام عليكم» gets
 * «وعليكم السلام», «صباح الخير» gets «صباح النور», "hi" gets "Hello" — every time, also when a
 * request follows the greeting in the same message.
 */
import { normalizeForMatching } from './normalize';

export type GreetingKind = 'salam' | 'morning' | 'evening' | 'hello';

const OPENERS: Array<[GreetingKind, RegExp]> = [
  ['salam', /^(ال)?سلام|^(as+|a)?-?sala+m|^sla+m/],
  ['morning', /^(صباح|صبحك|صباحو)|^(good )?morning\b|^sabah/],
  ['evening', /^(مساء|مسا|مساك)( |$)|^(good )?evening\b|^masa/],
  ['hello', /^(يا )?(هلا|اهلا|اهلين|مرحبا|مرحبتين|هاي|هلو|حياك)( |$|,)|^(hi+|hello|hey+|hiya|howdy|marhaba|ahlan|hala)\b/],
];

export function greetingOf(text: string): GreetingKind | undefined {
  const n = normalizeForMatching(text).replace(/^[^\p{L}]+/u, '');
  return OPENERS.find(([, re]) => re.test(n))?.[0];
}
