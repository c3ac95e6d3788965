/**
 * How every outgoing message shows numbers, applied once at send (bot/middleware/presentation.ts)
 * on every channel (web chat, WhatsApp, and so the agent console's transcript):
 *
 * - One digit system per message: Western digits (0-9), in both languages and on every
 *   channel. Absher, its SMS codes, ID cards' machine line and request numbers all use them, the
 *   person copies or types these values back, and dates are already formatted with -nu-latn.
 *   A message built from Arabic-Indic examples and Western values ("٥ ميجابايت… و5 ملفات")
 *   therefore ends up in one system. (Input still accepts both: normalize.ts.)
 * - Values that the bidi algorithm breaks apart inside Arabic text — masked numbers
 *   (05******12, 2*****5437, ******7625), ISO dates and ranges (2026-12-05), "+966…" — are
 *   wrapped in a left-to-right isolate (LRI … PDI, invisible) so they read as written.
 *   A plain digit run (400000101), 15/06/1448 and 10:30 need nothing and get nothing.
 */
import type { Activity, Attachment, CardAction } from 'botbuilder';
import { toAsciiDigits } from '../understanding/normalize';

export const LRI = '\u2066';
export const FSI = '\u2068';
export const PDI = '\u2069';

/**
 * A number-like run (digits and asterisks joined by hyphens or asterisks, an optional leading
 * "+") that stands alone: not inside a word, a URL path or query, a decimal or an isolate.
 */
const RUN = /(?<![\p{L}\p{N}\p{M}_/.:=?&%#@\u2066-\u2069*+-])\+?[0-9*](?:[0-9*-]*[0-9*])?(?![\p{L}\p{N}\p{M}_/=?&%#@]|[-*+][0-9])/gu;

/** A run the bidi algorithm reorders in right-to-left text: it has a digit and a hyphen, an asterisk or a leading "+". */
function isFragile(run: string): boolean {
  return /[0-9]/.test(run) && /[*-]|^\+/.test(run);
}

/** Wraps every fragile number-like run that is not already isolated in LRI … PDI. */
export function isolateNumbers(text: string): string {
  return text.replace(RUN, (run, offset: number, whole: string) => {
    if (!isFragile(run)) return run;
    const before = whole[offset - 1];
    if (before === LRI || before === FSI) return run;
    return `${LRI}${run}${PDI}`;
  });
}

/** The text of one outgoing message as people should see it: Western digits, fragile values isolated. */
export function presentText(text: string): string {
  return isolateNumbers(toAsciiDigits(text));
}

// ---------------------------------------------------------------------------------------------
// Whole activities: text, buttons' titles and the display strings of cards (never the values
// a button sends back, which the dialogs match).

function presentAction(a: CardAction): CardAction {
  return typeof a.title === 'string' ? { ...a, title: presentText(a.title) } : a;
}

/** Display strings of a card: every `text` and `title`, and the `value` of a FactSet's facts. */
function presentCardContent(node: unknown, inFacts = false): unknown {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map((n) => presentCardContent(n, inFacts));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (typeof v === 'string' && (k === 'text' || k === 'title' || (inFacts && k === 'value'))) out[k] = presentText(v);
    else out[k] = presentCardContent(v, k === 'facts');
  }
  return out;
}

function presentAttachment(a: Attachment): Attachment {
  return a.content && typeof a.content === 'object' ? { ...a, content: presentCardContent(a.content) } : a;
}

/** An outgoing activity with its visible strings presented; other activities are returned as they are. */
export function presentActivity<T extends Partial<Activity>>(activity: T): T {
  if (activity.type !== 'message') return activity;
  const out: T = { ...activity };
  if (typeof out.text === 'string') out.text = presentText(out.text);
  if (typeof out.speak === 'string') out.speak = presentText(out.speak);
  if (out.suggestedActions?.actions) out.suggestedActions = { ...out.suggestedActions, actions: out.suggestedActions.actions.map(presentAction) };
  if (out.attachments) out.attachments = out.attachments.map(presentAttachment);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The checks the test suites run on every outgoing message.

const WESTERN = /[0-9]/;
const ARABIC_INDIC = /[\u0660-\u0669]/;
const PERSIAN = /[\u06f0-\u06f9]/;

/** The digit systems a text uses. */
export function digitSystemsIn(text: string): Array<'western' | 'arabic-indic' | 'persian'> {
  const found: Array<'western' | 'arabic-indic' | 'persian'> = [];
  if (WESTERN.test(text)) found.push('western');
  if (ARABIC_INDIC.test(text)) found.push('arabic-indic');
  if (PERSIAN.test(text)) found.push('persian');
  return found;
}

/** Fragile number-like runs (masked values, ISO dates) not wrapped in an isolate. */
export function unisolatedValuesIn(text: string): string[] {
  const found: string[] = [];
  for (const m of toAsciiDigits(text).matchAll(RUN)) {
    if (!isFragile(m[0])) continue;
    const before = text[(m.index ?? 0) - 1];
    const after = text[(m.index ?? 0) + m[0].length];
    if ((before === LRI || before === FSI) && after === PDI) continue;
    found.push(m[0]);
  }
  return found;
}

/** Every display string of a message: text, button titles, card texts. */
function visibleStrings(a: Partial<Activity>): string[] {
  const strings: string[] = [];
  if (a.text) strings.push(a.text);
  for (const action of a.suggestedActions?.actions ?? []) if (typeof action.title === 'string') strings.push(action.title);
  const walk = (node: unknown, inFacts = false): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, inFacts));
    else if (node && typeof node === 'object')
      for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
        if (typeof v === 'string' && (k === 'text' || k === 'title' || (inFacts && k === 'value'))) strings.push(v);
        else walk(v, k === 'facts');
      }
  };
  for (const att of a.attachments ?? []) walk(att.content);
  return strings;
}

/**
 * What is wrong with how a message shows numbers: more than one digit system across its text,
 * buttons and cards, or a masked value or date left unisolated. Empty when it is right.
 */
export function presentationProblems(a: Partial<Activity>): string[] {
  if (a.type !== undefined && a.type !== 'message') return [];
  const strings = visibleStrings(a);
  const problems: string[] = [];
  const systems = digitSystemsIn(strings.join('\n'));
  if (systems.length > 1) problems.push(`mixes digit systems (${systems.join(' + ')}): ${JSON.stringify(strings.join(' | ').slice(0, 160))}`);
  for (const s of strings) for (const v of unisolatedValuesIn(s)) problems.push(`unisolated value ${JSON.stringify(v)} in ${JSON.stringify(s.slice(0, 160))}`);
  return problems;
}
