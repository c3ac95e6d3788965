/**
 * Answers a question from the FAQ knowledge base (locales/{ar,en}/faq.json) in one turn:
 * the answer, then its related questions as buttons. A question the base cannot answer gets
 * an honest "no reliable answer" with an agent and a Tawasul offer instead of a guess.
 */
import { type Activity, type CardAction, MessageFactory } from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { Translate } from './deps';
import type { DialogFactory, FeatureDeps } from './registry';
import { DIALOG_IDS } from './mainDialog';
import { button } from './menu';
import { turnLang, turnLogger } from './turnState';
import type { Lang } from './understanding/normalize';
import { FAQ_IDS, type FaqId, type Understanding } from './understanding/types';

/** What MainDialog passes when it starts the FAQ dialog. */
export interface FaqDialogOptions {
  text: string;
  faq?: FaqId;
  understanding?: Understanding;
}

/**
 * The offers reuse the main menu's own keys: MainDialog routes a tapped button by its exact
 * title, so these must read the same as the menu's "agent" and "Tawasul" buttons.
 */
const UNKNOWN_OFFERS = ['menu.agent', 'menu.tawasul'] as const;

const FAQ_ID_SET: ReadonlySet<string> = new Set(FAQ_IDS);

export function isFaqId(value: unknown): value is FaqId {
  return typeof value === 'string' && FAQ_ID_SET.has(value);
}

/**
 * The related ids of an entry. Translate always returns a string, so the JSON array arrives
 * joined with commas (ids are [a-z_], so the split is exact); a raw array from another
 * translator is taken as is. Anything that is not a known id (a typo in the JSON, or the
 * missing-key fallback) is dropped rather than shown as a button.
 */
export function relatedIds(t: Translate, lang: Lang, id: FaqId): FaqId[] {
  const value: unknown = t(lang, `faq:${id}.related`, { returnObjects: true });
  const items: unknown[] = Array.isArray(value) ? value : String(value).split(',').map((s) => s.trim());
  return items.filter((r): r is FaqId => isFaqId(r) && r !== id);
}

/**
 * One message: the answer, the invitation to go on, and the related questions as imBack
 * buttons whose title and value are the related entry's question (the classifier is trained
 * on those titles, so a tap comes back here with that entry's id).
 */
export function faqAnswer(t: Translate, lang: Lang, id: FaqId): Partial<Activity> {
  const actions: CardAction[] = relatedIds(t, lang, id).map((r) => button(t(lang, `faq:${r}.question`)));
  const text = `${t(lang, `faq:${id}.answer`)}\n\n${t(lang, 'faq:ui.anythingElse')} ${t(lang, 'faq:ui.relatedPrompt')}`;
  return MessageFactory.suggestedActions(actions, text);
}

/** "No reliable answer", with the agent and Tawasul offers titled as in the main menu. */
export function faqUnknown(t: Translate, lang: Lang): Partial<Activity> {
  return MessageFactory.suggestedActions(
    UNKNOWN_OFFERS.map((key) => button(t(lang, key))),
    t(lang, 'faq:ui.unknown'),
  );
}

export class FaqDialog extends Dialog<FaqDialogOptions> {
  constructor(private readonly deps: FeatureDeps) {
    super(DIALOG_IDS.faq);
  }

  override async beginDialog(dc: DialogContext, options?: FaqDialogOptions): Promise<DialogTurnResult> {
    const lang = turnLang(dc.context);
    const id = options?.faq;
    // Only the id is logged: the user's text may hold personal details.
    if (isFaqId(id)) {
      turnLogger(dc.context)?.info({ faq: id }, 'faq answered');
      await dc.context.sendActivity(faqAnswer(this.deps.t, lang, id));
    } else {
      turnLogger(dc.context)?.info({ faq: null }, 'faq without a reliable answer');
      await dc.context.sendActivity(faqUnknown(this.deps.t, lang));
    }
    return dc.endDialog();
  }
}

export const faqDialogFactory: DialogFactory = (deps) => new FaqDialog(deps);
