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
import { parseInteger } from './understanding/answers';
import type { Bilingual } from '../adapters/services/types';
import { matchKey, matchOption } from './interpret/match';
import { expectationOf, optionsOf, type ExpectOptions } from './interpret/openStep';
import { looseYesNo, readStep } from './interpret/read';
import type { Lang } from './understanding/normalize';

const key = matchKey;

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

/** A choice titled in both languages: its button follows the turn's language (a switch re-renders it). */
export type BilingualChoice = Choice & { titles?: Bilingual };

export function bilingualChoice(value: string, titles: Bilingual, lang: Lang, synonyms: string[] = []): BilingualChoice {
  const title = titles[lang];
  return { value, titles, action: { type: ActionTypes.ImBack, title, value: title }, synonyms: [titles.ar, titles.en, ...synonyms] };
}

function titleIn(choice: BilingualChoice, lang: Lang): string {
  return choice.titles?.[lang] ?? titleOf(choice);
}

/**
 * Finds the choice an answer names, with the interpreter's rules (interpret/match.ts): title,
 * value or synonym, position, or a loose match of one title ("استفسار عام").
 */
export function findChoice(text: string, choices: Choice[]): FoundChoice | undefined {
  return matchOption(text, optionsOf(choices));
}

export class LocalChoicePrompt extends Prompt<FoundChoice> {
  constructor(dialogId: string, validator?: PromptValidator<FoundChoice>) {
    super(dialogId, validator);
  }

  protected async onPrompt(context: TurnContext, _state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    const lang = turnLang(context);
    const actions = toChoices(options.choices).map((c): CardAction => ({ type: ActionTypes.ImBack, title: titleIn(c, lang), value: titleIn(c, lang) }));
    const activity = isRetry && options.retryPrompt ? options.retryPrompt : options.prompt;
    await context.sendActivity(withButtons(activity, actions));
  }

  protected async onRecognize(context: TurnContext, _state: object, options: ExpectOptions): Promise<PromptRecognizerResult<FoundChoice>> {
    const expect = expectationOf(options);
    const reading = expect ? readStep(context.activity.text ?? '', expect) : undefined;
    return reading?.type === 'answer' ? { succeeded: true, value: { value: String(reading.value), index: reading.index ?? 0, score: 1 } } : { succeeded: false };
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

  /** A yes/no step, for the interpreter (the answer is read by onRecognize below). */
  static options(options: PromptOptions): ExpectOptions {
    return { ...options, expect: { kind: 'yesno' } };
  }

  protected async onRecognize(context: TurnContext): Promise<PromptRecognizerResult<boolean>> {
    const text = context.activity.text ?? '';
    const answer = key(text);
    // The buttons of either language (the user may have switched since the prompt).
    for (const lang of ['ar', 'en'] as const) {
      if (answer === key(this.t(lang, 'prompts:yes'))) return { succeeded: true, value: true };
      if (answer === key(this.t(lang, 'prompts:no'))) return { succeeded: true, value: false };
    }
    const value = looseYesNo(text);
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
