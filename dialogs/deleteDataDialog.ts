/**
 * Deletion on request: «احذف بياناتي» / "delete my data" (and close variants) asks for a yes or
 * no; on yes every key of the user and the conversation is deleted through the erasure
 * registry (bot/privacy/erasure.ts, wired as FeatureDeps.eraseData) and the bot confirms.
 * Nothing of the conversation is saved after that turn (the turn is marked erased).
 *
 * The request is not an intent of the recognizer's contract: it is detected here with a rule
 * list (isDeleteDataRequest), which MainDialog checks before routing.
 */
import { ComponentDialog, type Dialog, type DialogTurnResult, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { DialogFactory, FeatureDeps } from './registry';
import { LocalConfirmPrompt, promptOptions } from './prompts';
import { turnLang, turnLogger } from './turnState';
import { normalizeForMatching } from './understanding/normalize';

export const DELETE_DATA_ID = 'deleteData';
const CONFIRM = 'deleteDataConfirm';

const AR_POLITE = '(?:ابي|ابغي|ابغا|اريد|ودي|ممكن|لو سمحت|من فضلك|فضلا|ارجو|رجاء|تكفي|تكفون|ابيكم|ابغاكم)';
const AR_VERB = '(?:احذف|احذفوا|حذف|تحذف|تحذفون|امسح|امسحوا|مسح|تمسح|تمسحون|ازل|ازاله|الغ|الغاء)';
const AR_WHAT = '(?:كل )?(?:بياناتي|معلوماتي)(?: الشخصيه)?(?: كلها)?';
const EN_POLITE = "(?:please|pls|can you|could you|i want to|i would like to|i'd like to|id like to|kindly)";
const EN_VERB = '(?:delete|erase|remove|wipe|clear|forget)';
const EN_WHAT = '(?:all )?(?:of )?my (?:personal )?(?:data|information|info|details)';
const REQUEST = new RegExp(
  `^(?:${AR_POLITE} )*${AR_VERB} ${AR_WHAT}(?: ${AR_POLITE})*$|^(?:${EN_POLITE} )*${EN_VERB} ${EN_WHAT}(?: please)?$`,
);

/** Whether a whole message asks to delete the user's data (short requests only, never inside free text). */
export function isDeleteDataRequest(text: string): boolean {
  const n = normalizeForMatching(text).replace(/[^\p{L}\p{N}' ]+/gu, ' ').replace(/\s+/g, ' ').trim();
  return n.length > 0 && n.length <= 60 && REQUEST.test(n);
}

export class DeleteDataDialog extends ComponentDialog {
  constructor(private readonly deps: FeatureDeps) {
    super(DELETE_DATA_ID);
    this.addDialog(new LocalConfirmPrompt(CONFIRM, deps.t));
    this.addDialog(new WaterfallDialog(DELETE_DATA_ID + 'Steps', [this.ask.bind(this), this.act.bind(this)]));
    this.initialDialogId = DELETE_DATA_ID + 'Steps';
  }

  private async ask(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.prompt(CONFIRM, promptOptions(this.deps.t, turnLang(step.context), { key: 'privacy:confirm' }, { kind: 'confirm' }));
  }

  private async act(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = turnLang(step.context);
    if (step.result !== true) {
      await step.context.sendActivity(this.deps.t(lang, 'privacy:kept'));
      return step.endDialog();
    }
    if (!this.deps.eraseData) {
      await step.context.sendActivity(this.deps.t(lang, 'privacy:failed'));
      return step.endDialog();
    }
    try {
      await this.deps.eraseData(step.context);
    } catch (err) {
      turnLogger(step.context)?.error({ err }, 'deletion on request failed');
      await step.context.sendActivity(this.deps.t(lang, 'privacy:failed'));
      return step.endDialog();
    }
    // Sent after the erasure: the channels deliver it without keeping it.
    await step.context.sendActivity(this.deps.t(lang, 'privacy:deleted'));
    return step.endDialog();
  }
}

export const deleteDataDialogFactory: DialogFactory = (deps): Dialog => new DeleteDataDialog(deps);
