/** A tiny exact-phrase recognizer for tests of the core, so they do not depend on the classifier. */
import { detectLanguage, normalizeForMatching } from '../../dialogs/understanding/normalize';
import type { Intent, Recognizer, Understanding } from '../../dialogs/understanding/types';

const PHRASES: Record<string, Intent> = {
  'السلام عليكم': 'greeting', hello: 'greeting', hi: 'greeting', هلا: 'greeting',
  الغاء: 'cancel', الغ: 'cancel', خلاص: 'cancel', cancel: 'cancel',
  مساعده: 'help', help: 'help',
  القائمه: 'menu', 'رجوع للقائمه': 'menu', menu: 'menu',
  موظف: 'agent', 'ابي اكلم موظف': 'agent', agent: 'agent',
  english: 'language.en', انجليزي: 'language.en', العربيه: 'language.ar', عربي: 'language.ar', arabic: 'language.ar',
  'count': 'faq',
};

export function ruleRecognizer(extra: Record<string, Intent> = {}): Recognizer {
  const table: Record<string, Intent> = {};
  for (const [phrase, intent] of Object.entries({ ...PHRASES, ...extra })) table[normalizeForMatching(phrase)] = intent;
  return {
    recognize(text: string): Understanding {
      const normalized = normalizeForMatching(text).replace(/[?!.,]/g, '').trim();
      const intent = table[normalized] ?? 'none';
      return { language: detectLanguage(text), normalized, intent, score: intent === 'none' ? 0.1 : 1, entities: {} };
    },
  };
}
