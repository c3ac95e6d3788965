/**
 * Iqama expiry reminders, the conversation side. The opt-in (from the menu, or the offer made
 * after a verified task ends) verifies the user — at once while the conversation holds a live
 * session — and registers a reminder consent at the services API with the user's token
 * (adapters/reminders keeps only the consent id, the conversation reference, language and
 * channel). "Stop reminders" revokes it from anywhere (MainDialog routes it here, once).
 */
import { ComponentDialog, type Dialog, type DialogTurnResult, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { MessageFactory, TurnContext } from 'botbuilder';
import { isServiceError } from '../adapters/services/types';
import { newIdempotencyKey } from '../adapters/services/client';
import type { VerifiedSession } from './deps';
import type { DialogFactory, FeatureDeps } from './registry';
import { beginVerification, restartVerified, VerifyIdentityDialog, type ReverifyState } from './verifyIdentityDialog';
import { describeServiceError, isSessionExpired } from './serviceErrors';
import { button } from './menu';
import { turnLang, turnLogger } from './turnState';

export const REMINDERS_ID = 'reminders';
export const REMINDERS_STOP_ID = 'remindersStop';
const STEPS = 'remindersSteps';

interface OptInState extends ReverifyState {
  /** One key per opt-in: a retry after a timeout registers the same consent, not a second. */
  idempotencyKey: string;
}

/** "emulator/conversations/abc": as bot/privacy/erasure.ts and adapters/reminders key it. */
export function conversationKeyOfTurn(context: TurnContext): string {
  return `${context.activity.channelId}/conversations/${context.activity.conversation.id}`;
}

export class RemindersDialog extends ComponentDialog {
  constructor(private readonly deps: FeatureDeps) {
    super(REMINDERS_ID);
    this.addDialog(new VerifyIdentityDialog(deps));
    this.addDialog(new WaterfallDialog(STEPS, [this.verify.bind(this), this.subscribe.bind(this)]));
    this.initialDialogId = STEPS;
  }

  private stateOf(step: WaterfallStepContext): OptInState {
    const values = step.values as { state?: OptInState };
    const options = step.options as Partial<OptInState> | undefined;
    return (values.state ??= { idempotencyKey: options?.idempotencyKey ?? newIdempotencyKey(), ...(options?.reverify ? { reverify: true } : {}) });
  }

  private async verify(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = turnLang(step.context);
    const state = this.stateOf(step);
    const { reminders, services } = this.deps;
    if (!reminders || !services) {
      await step.context.sendActivity(this.deps.t(lang, 'menu.notYet'));
      return step.endDialog();
    }
    if (!state.reverify && (await reminders.isSubscribed(conversationKeyOfTurn(step.context)))) {
      await step.context.sendActivity(this.deps.t(lang, 'reminders:already'));
      return step.endDialog();
    }
    const data = await this.deps.state.conversation.get(step.context, {});
    data.remindersOffered = true;
    // An opt-in that failed before its answer arrived may have registered the consent: the retry reuses its key.
    state.idempotencyKey = data.remindersConsentKey ??= state.idempotencyKey;
    return beginVerification(step, state);
  }

  private async subscribe(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = turnLang(step.context);
    const state = this.stateOf(step);
    const session = step.result as VerifiedSession | undefined;
    if (!session || !this.deps.reminders) return step.endDialog(); // the identity step said why and offered an agent
    const reference = TurnContext.getConversationReference(step.context.activity);
    try {
      const { dependentsWithIqama } = await this.deps.reminders.subscribe(session.token, state.idempotencyKey, {
        reference,
        lang,
        channel: step.context.activity.channelId,
      });
      delete (await this.deps.state.conversation.get(step.context, {})).remindersConsentKey;
      await step.context.sendActivity(this.deps.t(lang, 'reminders:on', { count: dependentsWithIqama }));
    } catch (err) {
      if (isSessionExpired(err)) return restartVerified(step, this.deps, STEPS, state);
      if (isServiceError(err) && err.reason === 'no_iqama_dependents') {
        delete (await this.deps.state.conversation.get(step.context, {})).remindersConsentKey;
        await step.context.sendActivity(this.deps.t(lang, 'reminders:noDependents'));
        return step.endDialog();
      }
      turnLogger(step.context)?.warn({ kind: isServiceError(err) ? err.kind : 'unknown' }, 'reminders: opt-in failed');
      const reason = describeServiceError(this.deps.t, lang, err);
      await step.context.sendActivity(
        MessageFactory.suggestedActions([button(this.deps.t(lang, 'reminders:retry')), button(this.deps.t(lang, 'intent.menu'))], this.deps.t(lang, 'reminders:failed', { reason })),
      );
    }
    return step.endDialog();
  }
}

/** "Stop reminders": revokes this conversation's consent and confirms, whatever was going on. */
export class StopRemindersDialog extends ComponentDialog {
  constructor(private readonly deps: FeatureDeps) {
    super(REMINDERS_STOP_ID);
    this.addDialog(new WaterfallDialog(REMINDERS_STOP_ID + 'Steps', [this.stop.bind(this)]));
    this.initialDialogId = REMINDERS_STOP_ID + 'Steps';
  }

  private async stop(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = turnLang(step.context);
    const reminders = this.deps.reminders;
    try {
      const stopped = reminders ? await reminders.unsubscribe(conversationKeyOfTurn(step.context)) : false;
      await step.context.sendActivity(this.deps.t(lang, stopped ? 'reminders:stopped' : 'reminders:notOn'));
    } catch (err) {
      turnLogger(step.context)?.warn({ err: { message: (err as Error).message } }, 'reminders: stop failed');
      await step.context.sendActivity(this.deps.t(lang, 'reminders:stopFailed'));
    }
    return step.endDialog();
  }
}

export const remindersDialogFactory: DialogFactory = (deps): Dialog => new RemindersDialog(deps);
export const stopRemindersDialogFactory: DialogFactory = (deps): Dialog => new StopRemindersDialog(deps);
