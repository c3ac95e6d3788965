/**
 * What the middleware works out once per turn and every dialog reads: the reply language,
 * the normalised text and the turn's logger. Kept in TurnContext.turnState.
 */
import type { TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { Lang } from './understanding/normalize';

const LANG = Symbol.for('musaed.lang');
const NORMALIZED = Symbol.for('musaed.normalized');
const LOGGER = Symbol.for('musaed.logger');
const SENSITIVE = Symbol.for('musaed.sensitiveInput');
const CORRELATION = Symbol.for('musaed.correlationId');

export const LOCALE_OF: Record<Lang, string> = { ar: 'ar-SA', en: 'en-US' };

export function langFromLocale(locale: string | undefined): Lang | undefined {
  if (!locale) return undefined;
  const l = locale.toLowerCase();
  if (l.startsWith('ar')) return 'ar';
  if (l.startsWith('en')) return 'en';
  return undefined;
}

/** The language to reply in this turn (set by the language middleware). */
export function turnLang(context: TurnContext): Lang {
  return (context.turnState.get(LANG) as Lang | undefined) ?? langFromLocale(context.activity.locale) ?? 'ar';
}

/** Sets the reply language; activity.locale follows so that prompts render in it too. */
export function setTurnLang(context: TurnContext, lang: Lang): void {
  context.turnState.set(LANG, lang);
  context.activity.locale = LOCALE_OF[lang];
}

export function turnNormalized(context: TurnContext): string {
  return (context.turnState.get(NORMALIZED) as string | undefined) ?? '';
}

export function setTurnNormalized(context: TurnContext, text: string): void {
  context.turnState.set(NORMALIZED, text);
}

export function turnLogger(context: TurnContext): Logger | undefined {
  const stored = context.turnState.get(LOGGER) as Logger | (() => Logger) | undefined;
  if (typeof stored !== 'function') return stored;
  const logger = stored();
  context.turnState.set(LOGGER, logger);
  return logger;
}

/** The turn's logger, or a function that makes it on first use (most turns never log). */
export function setTurnLogger(context: TurnContext, logger: Logger | (() => Logger), correlationId: string): void {
  context.turnState.set(LOGGER, logger);
  context.turnState.set(CORRELATION, correlationId);
}

export function turnCorrelationId(context: TurnContext): string | undefined {
  return context.turnState.get(CORRELATION) as string | undefined;
}

/**
 * Marks this turn's user input as a secret (a one-time code): the transcript keeps
 * "[hidden]" instead of the text. Call it from the prompt or step that receives the secret.
 */
export function markSensitiveInput(context: TurnContext): void {
  context.turnState.set(SENSITIVE, true);
}

export function isSensitiveInput(context: TurnContext): boolean {
  return context.turnState.get(SENSITIVE) === true;
}

const ERASED = Symbol.for('musaed.erased');

/** This turn erased the user's data: nothing of it (state, transcript) is written back afterwards. */
export function markErased(context: TurnContext): void {
  context.turnState.set(ERASED, true);
}

export function isErased(context: TurnContext): boolean {
  return context.turnState.get(ERASED) === true;
}

const GIVEN_ID = Symbol.for('musaed.givenId');

/**
 * An ID number the user gave before it was asked for ("ابي اتابع طلبي، هويتي …", or typed after
 * "did you mean…?"): the identity step of the task started this turn takes it instead of asking.
 * Kept in the turn only, never in stored state.
 */
export function offerIdNumber(context: TurnContext, idNumber: string): void {
  context.turnState.set(GIVEN_ID, idNumber);
}

/** The ID number offered this turn, once. */
export function takeOfferedIdNumber(context: TurnContext): string | undefined {
  const id = context.turnState.get(GIVEN_ID) as string | undefined;
  context.turnState.delete(GIVEN_ID);
  return id;
}

/** Whether an ID number was offered this turn (without taking it). */
export function hasOfferedIdNumber(context: TurnContext): boolean {
  return context.turnState.has(GIVEN_ID);
}
