/**
 * One prompt for every Tawasul question. Its options carry a description of the question
 * (locale keys, arguments given in both languages, buttons), not a rendered activity, so the
 * question is rendered in the turn's language each time it is shown: a language switch in
 * the middle of the flow re-asks it in the new language, labels from the services API
 * included. It accepts any answer (text, files or both); the dialog judges it, so a wrong
 * answer gets its own reason instead of a generic retry.
 */
import { ActionTypes, type Activity, type Attachment, type CardAction, type TurnContext } from 'botbuilder';
import { Prompt, type PromptOptions, type PromptRecognizerResult } from 'botbuilder-dialogs';
import type { Bilingual } from '../../adapters/services/types';
import type { Translate } from '../deps';
import { turnLang } from '../turnState';
import type { Lang } from '../understanding/normalize';

/** An argument is plain, given in both languages, or another line: all rendered at show time. */
export type Arg = string | number | Bilingual | Line;

export interface Line {
  key: string;
  args?: Record<string, Arg>;
}

/** A button: a locale key, or a label in both languages; `value` is what the dialog matches. */
export type Button = { value: string; key: string } | { value: string; label: Bilingual };

export interface Question {
  lines: Line[];
  buttons?: Button[];
}

export interface Answer {
  text: string;
  /** Files only (cards and other inline attachments are ignored). */
  files: Attachment[];
}

export function renderLine(t: Translate, lang: Lang, line: Line): string {
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(line.args ?? {})) {
    if (typeof v !== 'object') args[k] = v;
    else if ('key' in v) args[k] = renderLine(t, lang, v);
    else args[k] = v[lang];
  }
  return t(lang, line.key, args);
}

export function buttonTitle(t: Translate, lang: Lang, b: Button): string {
  return 'key' in b ? t(lang, b.key) : b.label[lang];
}

/** Both languages' titles of a button (the user may answer with either). */
export function buttonTitles(t: Translate, b: Button): string[] {
  return [buttonTitle(t, 'ar', b), buttonTitle(t, 'en', b)];
}

export function renderQuestion(t: Translate, lang: Lang, q: Question): Partial<Activity> {
  const text = q.lines.map((l) => renderLine(t, lang, l)).join('\n');
  const actions = (q.buttons ?? []).map((b): CardAction => {
    const title = buttonTitle(t, lang, b);
    return { type: ActionTypes.ImBack, title, value: title };
  });
  return { type: 'message', text, ...(actions.length ? { suggestedActions: { to: [], actions } } : {}) };
}

const QUESTION = 'tawasulQuestion';

export class AskPrompt extends Prompt<Answer> {
  constructor(
    dialogId: string,
    private readonly t: Translate,
  ) {
    super(dialogId);
  }

  static options(question: Question): PromptOptions {
    // Stored in `validations` (free-form in PromptOptions); prompt/retryPrompt stay empty.
    return { validations: { [QUESTION]: question } };
  }

  protected async onPrompt(context: TurnContext, _state: object, options: PromptOptions): Promise<void> {
    const question = (options.validations as Record<string, Question> | undefined)?.[QUESTION];
    if (question) await context.sendActivity(renderQuestion(this.t, turnLang(context), question));
  }

  protected async onRecognize(context: TurnContext): Promise<PromptRecognizerResult<Answer>> {
    const files = (context.activity.attachments ?? []).filter((a) => typeof a.contentUrl === 'string' && a.contentUrl !== '');
    return { succeeded: true, value: { text: context.activity.text ?? '', files } };
  }
}
