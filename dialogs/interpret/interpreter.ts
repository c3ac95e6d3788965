/**
 * The in-task interpreter: every message inside a task is read against the open step, and one
 * decision comes out, in this order of evidence:
 *   1. an answer to the step (a value of the expected kind, found anywhere in the sentence);
 *   2. a correction of an earlier answer (with its value, or naming the field to ask again);
 *   3. a question to answer in place (an FAQ), after which the step is asked again;
 *   4. a switch to another task, keeping the entities the user gave;
 *   5. a clear global command (cancel, agent, menu, help, language);
 *   6. unclear.
 * So "خلاص سددتها" at the payment question is an answer, not "cancel". A free-text step takes
 * the text as typed and yields only to an exact command. Pure: no botbuilder types.
 */
import type { FaqId, Intent, Understanding } from '../understanding/types';
import type { Expectation } from './expectation';
import { readStep, type Reading } from './read';

export type TaskIntent = 'iqama.renew' | 'tawasul.create' | 'status.check' | 'travel_permit' | 'passport.update';
const TASKS: ReadonlySet<Intent> = new Set<Intent>(['iqama.renew', 'tawasul.create', 'status.check', 'travel_permit', 'passport.update']);

/** A question or a change of task must be this clear to take a message away from the step. */
export const QUESTION_SCORE = 0.5;
export const SWITCH_SCORE = 0.5;
/** …or this clear when the message also carries the task's own entity (a request number). */
export const SWITCH_WITH_ENTITY_SCORE = 0.3;

export type Decision<C extends string = string> =
  | { kind: 'answer'; value: Extract<Reading, { type: 'answer' }>['value'] }
  | { kind: 'correction'; field: string; value?: string | number }
  | { kind: 'question'; faq: FaqId }
  | { kind: 'switch'; intent: TaskIntent }
  /** At the task's closing question, the same task asked for again, with new details: start it over from the message. */
  | { kind: 'again' }
  | { kind: 'command'; command: C }
  | { kind: 'unclear' };

export interface InterpretInput<C extends string> {
  text: string;
  expect: Expectation;
  understanding: Understanding;
  /** The command the message is, if it is a clear one (MainDialog's detector, inside a task). */
  command?: C;
  /** The intent of the task in progress: asking for it again is not a switch. */
  task?: string;
  hasFiles?: boolean;
}

export function interpret<C extends string>(input: InterpretInput<C>): Decision<C> {
  const { text, expect, understanding: u, command } = input;
  if (expect.kind === 'text') {
    // Free text is never hijacked: only an exact command (a rule hit) interrupts it.
    if (command && u.score >= 0.999) return { kind: 'command', command };
    return text.trim() ? { kind: 'answer', value: text } : { kind: 'unclear' };
  }

  const reading = readStep(text, expect, u.entities, input.hasFiles ?? false);
  if (reading?.type === 'answer') return { kind: 'answer', value: reading.value };
  if (reading?.type === 'correction') return { kind: 'correction', field: reading.field, ...(reading.value !== undefined ? { value: reading.value } : {}) };

  if (u.intent === 'faq' && u.faq && u.score >= QUESTION_SCORE) return { kind: 'question', faq: u.faq };

  const words = u.normalized.split(' ').filter(Boolean).length;
  if (expect.closing && TASKS.has(u.intent) && u.intent === input.task && u.score >= SWITCH_SCORE && words >= 2) return { kind: 'again' };
  // A task named with what it needs ("track request 400000101 instead") is clear at a lower score.
  const backed = u.intent === 'status.check' && u.entities.requestNumber !== undefined && u.score >= SWITCH_WITH_ENTITY_SCORE;
  if (TASKS.has(u.intent) && u.intent !== input.task && (u.score >= SWITCH_SCORE || backed) && !u.alternative && words >= 2) {
    return { kind: 'switch', intent: u.intent as TaskIntent };
  }

  if (command) return { kind: 'command', command };
  return { kind: 'unclear' };
}
