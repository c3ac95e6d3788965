/**
 * The open step of a conversation, read from the dialog stack: the innermost running prompt
 * and the expectation it declared (kept in its options as `expect`). A prompt with choices
 * that declared nothing is a choice; a prompt that declared nothing else is left to itself.
 */
import type { Choice, DialogInstance, PromptOptions } from 'botbuilder-dialogs';
import type { Expectation, StepOption } from './expectation';

/** Prompt options that carry the step's expectation. */
export type ExpectOptions = PromptOptions & { expect?: Expectation };

/** The options of a choice as the interpreter sees them: both languages' titles and synonyms. */
export function optionsOf(choices: ReadonlyArray<string | Choice> | undefined): StepOption[] {
  return (choices ?? []).map((c) => {
    if (typeof c === 'string') return { value: c, names: [c] };
    const titles = (c as Choice & { titles?: { ar: string; en: string } }).titles;
    return { value: c.value, names: [c.action?.title ?? c.value, ...(titles ? [titles.ar, titles.en] : []), ...(c.synonyms ?? [])] };
  });
}

/** The expectation a prompt's options declare (or imply by their choices). */
export function expectationOf(options: ExpectOptions | undefined): Expectation | undefined {
  if (!options) return undefined;
  const declared = options.expect;
  const choices = optionsOf(options.choices);
  if (declared) return declared.options || !choices.length ? declared : { ...declared, options: choices };
  return choices.length ? { kind: 'choice', options: choices } : undefined;
}

/** botbuilder's stacks grow at the end: the active dialog is the last one. */
function innermost(stack: DialogInstance[] | undefined): DialogInstance | undefined {
  const top = stack?.[stack.length - 1];
  if (!top) return undefined;
  const inner = (top.state as { dialogs?: { dialogStack?: DialogInstance[] } } | undefined)?.dialogs?.dialogStack;
  return (inner?.length ? innermost(inner) : undefined) ?? top;
}

/** What the open step expects, or undefined when it declared nothing (it reads its answers itself). */
export function openStep(stack: DialogInstance[]): Expectation | undefined {
  const state = innermost(stack)?.state as { options?: ExpectOptions } | undefined;
  return expectationOf(state?.options);
}

/** Prompt options with the step's expectation (botbuilder keeps the extra field in dialog state). */
export function stepOptions(options: ExpectOptions): PromptOptions {
  return options;
}
