/**
 * Prompt activities that remember which locale keys made them, so that a language switch in
 * the middle of a prompt can re-render the stored prompt in the new language. botbuilder
 * prompts keep their options (the rendered activity) in dialog state; without the keys, a
 * reprompt would repeat the old language.
 */
import { type Activity, ActionTypes, type CardAction } from 'botbuilder';
import type { DialogInstance } from 'botbuilder-dialogs';
import type { Translate } from './deps';
import { SECRET_ANSWER_MARK } from '../bot/privacy/mask';
import type { Lang } from './understanding/normalize';

export interface I18nRef {
  key: string;
  args?: Record<string, unknown>;
  /** Locale keys of suggested-action buttons (imBack with the translated title). */
  actions?: string[];
  /** Buttons made from data, given in both languages (a dependent's name): shown in the prompt's language. */
  buttons?: Array<{ ar: string; en: string }>;
  /** The answer is a secret (a one-time code): channels keeping copies mask it (SECRET_ANSWER_MARK). */
  secret?: boolean;
}

const MARK = 'musaedI18n';

/** An argument given in both languages ({ar, en}) is rendered in the prompt's language. */
function argsFor(args: Record<string, unknown> | undefined, lang: Lang): Record<string, unknown> | undefined {
  if (!args) return args;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    const both = v as { ar?: unknown; en?: unknown } | null;
    out[k] = both && typeof both === 'object' && 'ar' in both && 'en' in both ? both[lang] : v;
  }
  return out;
}

/** A message activity rendered from locale keys, carrying those keys for re-rendering. */
export function localized(t: Translate, lang: Lang, ref: I18nRef): Partial<Activity> {
  const titles = [...(ref.buttons ?? []).map((b) => b[lang]), ...(ref.actions ?? []).map((k) => t(lang, k))];
  return {
    type: 'message',
    text: t(lang, ref.key, argsFor(ref.args, lang)),
    ...(titles.length ? { suggestedActions: { to: [], actions: titles.map((title): CardAction => ({ type: ActionTypes.ImBack, title, value: title })) } } : {}),
    channelData: { [MARK]: ref, ...(ref.secret ? { [SECRET_ANSWER_MARK]: true } : {}) },
  };
}

function rerender(activity: unknown, t: Translate, lang: Lang): unknown {
  if (!activity || typeof activity !== 'object') return activity;
  const ref = (activity as { channelData?: Record<string, unknown> }).channelData?.[MARK] as I18nRef | undefined;
  return ref ? localized(t, lang, ref) : activity;
}

/** Re-renders every localised prompt on the stack (nested component stacks included). */
export function relocalizeStack(stack: DialogInstance[], t: Translate, lang: Lang): void {
  for (const instance of stack) {
    const state = instance.state as Record<string, unknown> | undefined;
    if (!state) continue;
    const options = state.options as { prompt?: unknown; retryPrompt?: unknown } | undefined;
    if (options && typeof options === 'object') {
      if (options.prompt) options.prompt = rerender(options.prompt, t, lang);
      if (options.retryPrompt) options.retryPrompt = rerender(options.retryPrompt, t, lang);
    }
    const inner = (state.dialogs as { dialogStack?: DialogInstance[] } | undefined)?.dialogStack;
    if (Array.isArray(inner)) relocalizeStack(inner, t, lang);
  }
}
