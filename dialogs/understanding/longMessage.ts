/**
 * Long messages tell a story and ask last ("… المهم، أبي أجدد إقامة زوجتي الحين"). Classified
 * whole, the story drowns the request; read clause by clause from the end, the request is found.
 */

/** Messages longer than this many words are read clause by clause. */
export const LONG_MESSAGE_WORDS = 25;

/**
 * The parts to try, most likely request first: the last clauses, then the last sentences,
 * each alone. The whole text is the caller's fallback.
 */
export function requestCandidates(text: string): string[] {
  if (text.trim().split(/\s+/).length <= LONG_MESSAGE_WORDS) return [];
  const sentences = text.split(/[.!?؟\n;؛]+/).map((s) => s.trim()).filter((s) => /\p{L}/u.test(s));
  const out: string[] = [];
  for (const sentence of sentences.slice(-3).reverse()) {
    const clauses = sentence.split(/[,،]+/).map((c) => c.trim()).filter((c) => /\p{L}/u.test(c));
    if (clauses.length > 1) out.push(clauses[clauses.length - 1]!, clauses.slice(-2).join('، '));
    out.push(sentence);
  }
  return [...new Set(out)];
}
