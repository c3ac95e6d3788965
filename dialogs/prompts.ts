/**
 * Choice, confirm and number prompts that work in Arabic. botbuilder's own fall back to
 * English for `ar` (PromptCultureModels has no Arabic, recognizers-text has no Arabic
 * culture): these recognise answers with understanding/answers.ts — "الثاني", "٢", "اي",
 * "مو", "ستة" — and render choices as suggested actions titled in the user's language.
 * Prompt activities should be made with localized() so a language switch re-renders them.
 */
import { ActionTypes, type Activity, type CardAction, type TurnContext } from 'botbuilder';
import {
  type Choice,
  type FoundChoice,
  Prompt,
  type PromptOptions,
  type PromptRecognizerResult,
  type PromptValidator,
} from 'botbuilder-dialogs';
import type { Translate } from './deps';
import { localized, type I18nRef } from './localizedPrompt';
import { turnLang } from './turnState';
import { parseInteger, parseOrdinal, parseYesNo } from './understanding/answers';
import { normalizeForMatching, type Lang } from './understanding/normalize';

const PUNCTUATION = /[^\p{L}\p{N}\s]+/gu;
const key = (text: string) => normalizeForMatching(text).replace(PUNCTUATION, ' ').replace(/\s+/g, ' ').trim();

function titleOf(choice: Choice): string {
  return choice.action?.title ?? choice.value;
}

function toChoices(list: PromptOptions['choices']): Choice[] {
  return (list ?? []).map((c) => (typeof c === 'string' ? { value: c } : c));
}

/** The prompt (or retry prompt) activity with the choices as buttons, unless it has its own. */
function withButtons(activity: string | Partial<Activity> | undefined, actions: CardAction[]): Partial<Activity> {
  const base: Partial<Activity> = typeof activity === 'string' ? { type: 'message', text: activity } : { type: 'message', ...activity };
  if (!actions.length || base.suggestedActions?.actions?.length) return base;
  return { ...base, suggestedActions: { to: [], actions } };
}

/**
 * Finds the choice an answer names: its title, value or a synonym (exact, or all of the
 * choice's words inside the answer, or the answer inside exactly one title), or its place in
 * the list ("2", "٢", "الثاني", "the second", "الأخير").
 */
export function findChoice(text: string, choices: Choice[]): FoundChoice | undefined {
  const answer = key(text);
  if (!answer) return undefined;
  const names = choices.map((c) => [titleOf(c), c.value, ...(c.synonyms ?? [])].map(key).filter(Boolean));

  const exact = names.findIndex((n) => n.includes(answer));
  if (exact >= 0) return { value: choices[exact]!.value, index: exact, score: 1 };

  const ordinal = parseOrdinal(text);
  if (ordinal !== undefined) {
    const index = ordinal === -1 ? choices.length - 1 : ordinal - 1;
    if (index >= 0 && index < choices.length) return { value: choices[index]!.value, index, score: 1 };
  }

  const words = new Set(answer.split(' '));
  const within = names
    .map((n, index) => ({ index, hit: n.some((name) => name.split(' ').every((w) => words.has(w))) }))
    .filter((x) => x.hit);
  if (within.length === 1) return { value: choices[within[0]!.index]!.value, index: within[0]!.index, score: 0.9 };

  if (answer.length >= 2) {
    const containing = names.map((n, index) => ({ index, hit: n.some((name) => name.includes(answer)) })).filter((x) => x.hit);
    if (containing.length === 1) return { value: choices[containing[0]!.index]!.value, index: containing[0]!.index, score: 0.8 };
  }
  return undefined;
}

export class LocalChoicePrompt extends Prompt<FoundChoice> {
  constructor(dialogId: string, validator?: PromptValidator<FoundChoice>) {
    super(dialogId, validator);
  }

  protected async onPrompt(context: TurnContext, _state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    const actions = toChoices(options.choices).map((c): CardAction => ({ type: ActionTypes.ImBack, title: titleOf(c), value: titleOf(c) }));
    const activity = isRetry && options.retryPrompt ? options.retryPrompt : options.prompt;
    await context.sendActivity(withButtons(activity, actions));
  }

  protected async onRecognize(context: TurnContext, _state: object, options: PromptOptions): Promise<PromptRecognizerResult<FoundChoice>> {
    const found = findChoice(context.activity.text ?? '', toChoices(options.choices));
    return found ? { succeeded: true, value: found } : { succeeded: false };
  }
}

export class LocalConfirmPrompt extends Prompt<boolean> {
  constructor(
    dialogId: string,
    private readonly t: Translate,
    validator?: PromptValidator<boolean>,
  ) {
    super(dialogId, validator);
  }

  private buttons(lang: Lang): CardAction[] {
    return ['prompts:yes', 'prompts:no'].map((k): CardAction => ({ type: ActionTypes.ImBack, title: this.t(lang, k), value: this.t(lang, k) }));
  }

  protected async onPrompt(context: TurnContext, _state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    const activity = isRetry && options.retryPrompt ? options.retryPrompt : options.prompt;
    await context.sendActivity(withButtons(activity, this.buttons(turnLang(context))));
  }

  protected async onRecognize(context: TurnContext): Promise<PromptRecognizerResult<boolean>> {
    const text = context.activity.text ?? '';
    const answer = key(text);
    // The buttons of either language (the user may have switched since the prompt).
    for (const lang of ['ar', 'en'] as const) {
      if (answer === key(this.t(lang, 'prompts:yes'))) return { succeeded: true, value: true };
      if (answer === key(this.t(lang, 'prompts:no'))) return { succeeded: true, value: false };
    }
    const value = parseYesNo(text);
    return value === undefined ? { succeeded: false } : { succeeded: true, value };
  }
}

export class LocalNumberPrompt extends Prompt<number> {
  constructor(dialogId: string, validator?: PromptValidator<number>) {
    super(dialogId, validator);
  }

  protected async onPrompt(context: TurnContext, _state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    const activity = isRetry && options.retryPrompt ? options.retryPrompt : options.prompt;
    if (activity) await context.sendActivity(withButtons(activity, []));
  }

  protected async onRecognize(context: TurnContext): Promise<PromptRecognizerResult<number>> {
    const value = parseInteger(context.activity.text ?? '');
    return value === undefined ? { succeeded: false } : { succeeded: true, value };
  }
}

/** Prompt options from locale keys: the prompt, a retry (default: the shared one for the kind). */
export function promptOptions(
  t: Translate,
  lang: Lang,
  prompt: I18nRef,
  extra: { retry?: I18nRef; choices?: Choice[]; kind?: 'choice' | 'confirm' | 'number' } = {},
): PromptOptions {
  const retry = extra.retry ?? (extra.kind ? { key: `prompts:retry.${extra.kind}`, args: {} } : undefined);
  return {
    prompt: localized(t, lang, prompt),
    ...(retry ? { retryPrompt: localized(t, lang, retry) } : {}),
    ...(extra.choices ? { choices: extra.choices } : {}),
  };
}
