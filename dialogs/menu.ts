/**
 * The main menu and the "which intent did this button mean" lookup. Buttons are imBack with
 * their localised title, so a title typed or tapped in either language maps back exactly,
 * without depending on the classifier.
 */
import { ActionTypes, type Activity, type CardAction, MessageFactory } from 'botbuilder';
import type { Translate } from './deps';
import { normalizeForMatching, type Lang } from './understanding/normalize';
import type { Intent } from './understanding/types';

export const MENU_ITEMS: ReadonlyArray<{ key: string; intent: Intent }> = [
  { key: 'menu.renew', intent: 'iqama.renew' },
  { key: 'menu.tawasul', intent: 'tawasul.create' },
  { key: 'menu.status', intent: 'status.check' },
  { key: 'menu.travelPermit', intent: 'travel_permit' },
  { key: 'menu.passportUpdate', intent: 'passport.update' },
  { key: 'menu.faq', intent: 'faq' },
  { key: 'menu.agent', intent: 'agent' },
];

export function intentLabelKey(intent: Intent): string {
  return `intent.${intent.replace('.', '_')}`;
}

export function button(title: string): CardAction {
  return { type: ActionTypes.ImBack, title, value: title };
}

export function menuActions(t: Translate, lang: Lang): CardAction[] {
  return [
    ...MENU_ITEMS.map((m) => button(t(lang, m.key))),
    // Not an intent of the contract: MainDialog reads this title itself (dialogs/reminders/understand.ts).
    button(t(lang, 'reminders:menuTitle')),
    button(t(lang, 'menu.toggle')),
  ];
}

export function menuActivity(t: Translate, lang: Lang, text?: string): Partial<Activity> {
  return MessageFactory.suggestedActions(menuActions(t, lang), text ?? t(lang, 'menu.prompt'));
}

/** Builds the exact-title lookup once: normalised title (both languages) → intent. */
export function buildTitleIndex(t: Translate): Map<string, Intent> {
  const index = new Map<string, Intent>();
  const intents: Intent[] = ['greeting', 'help', 'cancel', 'menu', 'agent', 'iqama.renew', 'tawasul.create', 'status.check', 'faq', 'travel_permit', 'passport.update'];
  for (const lang of ['ar', 'en'] as const) {
    for (const m of MENU_ITEMS) index.set(normalizeForMatching(t(lang, m.key)), m.intent);
    for (const i of intents) index.set(normalizeForMatching(t(lang, intentLabelKey(i))), i);
  }
  // The toggle button shows the other language's name.
  index.set(normalizeForMatching(t('ar', 'menu.toggle')), 'language.en');
  index.set(normalizeForMatching(t('en', 'menu.toggle')), 'language.ar');
  return index;
}
