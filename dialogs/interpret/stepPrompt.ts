/**
 * A prompt for a typed answer (an ID number, a code, a request number, a field, a description)
 * that reads its answer with the interpreter's rules (readStep) instead of parsing on its own:
 * "اسف غلطت، الصحيح 2345678904" gives the ID. The value is passed to the validator as a string
 * (for a free-text step, the text as typed); a validator may still refuse it with a reason.
 */
import type { TurnContext } from 'botbuilder';
import { Prompt, type PromptRecognizerResult, type PromptValidator } from 'botbuilder-dialogs';
import type { ExpectOptions } from './openStep';
import { expectationOf } from './openStep';
import { readStep } from './read';

export class StepPrompt extends Prompt<string> {
  constructor(dialogId: string, validator?: PromptValidator<string>) {
    super(dialogId, validator);
  }

  protected async onPrompt(context: TurnContext, _state: object, options: ExpectOptions, isRetry: boolean): Promise<void> {
    const activity = isRetry && options.retryPrompt ? options.retryPrompt : options.prompt;
    if (activity) await context.sendActivity(activity);
  }

  protected async onRecognize(context: TurnContext, _state: object, options: ExpectOptions): Promise<PromptRecognizerResult<string>> {
    const text = context.activity.text ?? '';
    const expect = expectationOf(options) ?? { kind: 'text' };
    const reading = readStep(text, expect);
    if (reading?.type === 'answer') return { succeeded: true, value: String(reading.value) };
    // Not a value of the kind asked: the validator still sees the words, to say what is wrong.
    return text.trim() ? { succeeded: true, value: text } : { succeeded: false };
  }
}
