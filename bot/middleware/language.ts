/**
 * Works out, once per turn, the normalised text (for matching) and the reply language:
 * the user's saved preference, else the language of the message, else the conversation's
 * last language, else the channel's locale. The original text stays untouched on the
 * activity for anything stored or shown.
 */
import type { Middleware, TurnContext } from 'botbuilder';
import type { StateAccessors } from '../../dialogs/deps';
import { langFromLocale, setTurnLang, setTurnNormalized } from '../../dialogs/turnState';
import { detectLanguage, normalizeForMatching, type Lang } from '../../dialogs/understanding/normalize';

export function chooseLanguage(input: {
  preference?: Lang;
  text?: string;
  lastLang?: Lang;
  locale?: string;
}): Lang {
  if (input.preference) return input.preference;
  const text = input.text ?? '';
  const detected = detectLanguage(text);
  // One Latin word inside an Arabic conversation ("iqama", "ok") does not switch languages.
  const words = text.trim().split(/\s+/).filter(Boolean).length;
  if (detected && !(input.lastLang && detected !== input.lastLang && words < 2)) return detected;
  return input.lastLang ?? langFromLocale(input.locale) ?? 'ar';
}

export function languageMiddleware(state: StateAccessors): Middleware {
  return {
    async onTurn(context: TurnContext, next) {
      const activity = context.activity;
      const text = typeof activity.text === 'string' ? activity.text : '';
      setTurnNormalized(context, normalizeForMatching(text));
      // No default here: reading with one would create an empty profile, and user state is
      // written (for USER_TTL_SECONDS) only when the user chose a language.
      const profile = await state.profile.get(context);
      const data = await state.conversation.get(context, {});
      const lang = chooseLanguage({ preference: profile?.language, text: activity.type === 'message' ? text : '', lastLang: data.lastLang, locale: activity.locale });
      setTurnLang(context, lang);
      if (activity.type === 'message') data.lastLang = lang;
      await next();
    },
  };
}
