/**
 * What a person's words say about Tawasul: which section or transaction type they mean
 * (matched against the labels the services API gives, in either language), whether they
 * want to follow their tickets rather than open one ("طلباتي في تواصل", "my tickets"), and
 * the short answers of the attachments step ("تم", "خلصت", "done", "تخطي", "skip").
 * Pure functions over the matching form.
 */
import type { TawasulSection, TransactionType } from '../../adapters/services/types';
import { normalizeForMatching } from '../understanding/normalize';

const STOP = new Set(['ال', 'و', 'في', 'من', 'على', 'عن', 'الى', 'او', 'a', 'an', 'the', 'of', 'for', 'to', 'and', 'or', 'my', 'in', 'on']);

/** Content words with the Arabic article and attached prepositions stripped, Latin stemmed lightly. */
function stems(text: string): string[] {
  return normalizeForMatching(text)
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .split(/\s+/)
    .filter((w) => w && !STOP.has(w))
    .map((w) => {
      if (/[a-z]/.test(w)) return w.length > 5 ? w.slice(0, 5) : w;
      const bare = w.replace(/^(وال|بال|لل|فال|ال)/, '');
      return bare.length >= 3 ? bare.replace(/(ات|ه)$/, '').slice(0, 5) : w;
    });
}

/** Share of a label's words that appear in the text. */
function coverage(label: string, words: Set<string>): number {
  const wanted = stems(label);
  if (wanted.length === 0) return 0;
  return wanted.filter((w) => words.has(w)).length / wanted.length;
}

export interface TypeGuess {
  section: TawasulSection;
  type?: TransactionType;
}

/**
 * The section and maybe the type a message names ("ابي اصحح تاريخ ميلاد بنتي" → data
 * correction › date of birth correction). Only a clear single best match counts.
 */
export function guessType(text: string, sections: TawasulSection[]): TypeGuess | undefined {
  const words = new Set(stems(text));
  if (words.size === 0) return undefined;
  const types = sections.flatMap((section) =>
    section.transactionTypes.map((type) => ({ section, type, score: Math.max(coverage(type.label.ar, words), coverage(type.label.en, words)) })),
  );
  const best = types.filter((x) => x.score >= 0.66).sort((a, b) => b.score - a.score);
  if (best.length > 0 && (best.length === 1 || best[0]!.score > best[1]!.score)) return { section: best[0]!.section, type: best[0]!.type };
  const bySection = sections
    .map((section) => ({ section, score: Math.max(coverage(section.label.ar, words), coverage(section.label.en, words)) }))
    .filter((x) => x.score >= 0.99);
  if (bySection.length === 1) {
    const only = bySection[0]!.section;
    return { section: only, ...(only.transactionTypes.length === 1 ? { type: only.transactionTypes[0] } : {}) };
  }
  return undefined;
}

const MINE = /(^| )(طلباتي|تذاكري|معاملاتي|طلبات تواصل|my (tawasul )?(tickets|requests)|tawasul (tickets|requests))( |$)/;
const FOLLOW = /(^| )(متابعه|تابع|اتابع|وش صار|ايش صار|وين وصل|وين وصلت|حاله|track|status|follow|what happened)( |$)/;
const TAWASUL = /تواصل|tawasul|ticket|تذكر/;

/**
 * Whether a message asks to see or follow Tawasul tickets rather than open one: "my tickets",
 * "طلباتي في تواصل", "تابع طلب التواصل", "status of my Tawasul ticket".
 */
export function isTicketListRequest(text: string): boolean {
  const n = normalizeForMatching(text).replace(/[?!.,;:]/g, ' ').replace(/\s+/g, ' ');
  if (MINE.test(n) && (TAWASUL.test(n) || /tickets|تذاكري/.test(n))) return true;
  return FOLLOW.test(n) && TAWASUL.test(n);
}

const DONE = new Set(['تم', 'خلصت', 'خلاص خلصت', 'انتهيت', 'بس', 'بس كذا', 'كذا بس', 'هذا كل شي', 'هذا كل شيء', 'خلاص', 'done', 'finished', 'thats all', 'that is all', 'no more', 'ok done']);
const SKIP = new Set(['تخطي', 'تخطى', 'تجاوز', 'ما عندي', 'ما عندي مرفقات', 'لا يوجد', 'ما فيه', 'بدون', 'بدون مرفقات', 'skip', 'none', 'no files', 'no attachments', 'nothing']);

function key(text: string): string {
  return normalizeForMatching(text).replace(/[^\p{L}\p{N}\s]+/gu, ' ').replace(/\s+/g, ' ').trim();
}

/** "done" (finished sending files) or "skip" (no files), or undefined. */
export function filesAnswer(text: string): 'done' | 'skip' | undefined {
  const k = key(text);
  if (DONE.has(k)) return 'done';
  if (SKIP.has(k)) return 'skip';
  return undefined;
}
