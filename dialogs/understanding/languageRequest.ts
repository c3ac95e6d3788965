/**
 * A language switch needs a clear request: "can you continue in English please", «كلمني عربي».
 * A message that merely mentions a language («اسمي بالانجليزي مكتوب غلط», "my name in Arabic
 * is spelled wrong") is about something else and must not switch the conversation.
 */
import { normalizeForMatching } from './normalize';

const LANGUAGE_WORD = /انجل?يز|انقل?يز|انجلز|english|engl|ingli|عربي|arabic|arabi|العربيه/;
const ASKING = /اريد|اللغه|لغه|abi|abgh|a?takal+am|kalim|sama7|sm7|كلم|تكلم|كمل|اكمل|تابع|حول|غير|رد|جاوب|اكتب لي|خاطب|ابي|ابغى|ابغي|ودي|ممكن|لو سمحت|تقدر|continue|speak|talk|switch|change|reply|respond|write|answer|use|can you|could you|please|pls|let'?s|\bin (english|arabic)\b/;
/** The message is about a name, a spelling or a document, not about the conversation. */
const ABOUT_SOMETHING_ELSE = /اسم|مكتوب|كتابه|تهجي|حروف|غلط|خطا|جواز|اقام|بيانات|\bname\b|spell|written|typo|wrong|passport|iqama/;

/** Minimum probability for a language switch the classifier found (rules are exact and exempt). */
export const LANGUAGE_SWITCH_SCORE = 0.5;

export function isLanguageRequest(text: string): boolean {
  const n = normalizeForMatching(text);
  if (!LANGUAGE_WORD.test(n) || ABOUT_SOMETHING_ELSE.test(n)) return false;
  // A language named alone ("انجلزي", "english pls") is the request itself.
  return n.split(' ').length <= 2 || ASKING.test(n);
}
