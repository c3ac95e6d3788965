/**
 * A keyword recognizer used only when the trained classifier is not available: it keeps
 * `npm start` answering (greetings, commands, the menu's tasks) in both languages.
 */
import { detectLanguage, normalizeForMatching } from '../dialogs/understanding/normalize';
import type { Intent, Recognizer, Understanding } from '../dialogs/understanding/types';

const RULES: Array<[RegExp, Intent]> = [
  [/^(السلام عليكم|سلام|هلا|مرحبا|اهلا|hi|hello|hey|salam)(\s|$)/, 'greeting'],
  [/^(الغاء|الغ|خلاص|cancel|stop)$/, 'cancel'],
  [/^(مساعده|help)$/, 'help'],
  [/^(القايمه|رجوع للقايمه|menu|main menu)$/, 'menu'],
  [/(موظف|agent|human)/, 'agent'],
  [/^(english|انجليزي)$/, 'language.en'],
  [/^(العربيه|عربي|arabic)$/, 'language.ar'],
  [/(جدد|تجديد|renew).*(اقام|iqama)|(اقام|iqama).*(جدد|تجديد|renew)/, 'iqama.renew'],
  [/تواصل|tawasul/, 'tawasul.create'],
  [/(طلب|status|request).*\d{5,}|وش صار|status/, 'status.check'],
];

export function keywordRecognizer(): Recognizer {
  return {
    recognize(text: string): Understanding {
      const normalized = normalizeForMatching(text).replace(/[?!.,؟]/g, '').trim();
      const hit = RULES.find(([re]) => re.test(normalized));
      return { language: detectLanguage(text), normalized, intent: hit?.[1] ?? 'none', score: hit ? 1 : 0, entities: {} };
    },
  };
}
