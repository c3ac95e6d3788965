/**
 * "I want to talk to a person": asks for a one-line reason when none was given, then either
 * puts the conversation in the agents' queue (place and estimated wait in the user's
 * language), hands it to an external contact center over the Bot Framework handoff
 * protocol (HANDOFF_MODE=protocol), or — outside working hours or with nobody online —
 * offers a Tawasul request instead of an endless wait. From then on the handoff gate
 * (adapters/handoff/gate.ts) owns the conversation until the agent hands it back.
 */
import { type Activity, EventFactory, type Transcript, TurnContext } from 'botbuilder';
import { ComponentDialog, TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { FeatureDeps } from './registry';
import type { HandoffDialogOptions } from './mainDialog';
import { localized } from './localizedPrompt';
import { turnLang } from './turnState';
import type { HandoffHub, HandoffRequest } from '../adapters/handoff/types';

export const HANDOFF_DIALOG_ID = 'handoff';
const REASON_PROMPT = 'handoffReason';
const MAX_REASON_CHARS = 300;

const TAWASUL_ACTIONS = ['menu.tawasul', 'intent.menu'];

export class HandoffDialog extends ComponentDialog {
  constructor(private readonly deps: FeatureDeps) {
    super(HANDOFF_DIALOG_ID);
    this.addDialog(
      new TextPrompt(REASON_PROMPT, async (pc) => (pc.recognized.value ?? '').trim().length > 0),
    );
    this.addDialog(new WaterfallDialog('handoffSteps', [this.askReason.bind(this), this.handOver.bind(this)]));
    this.initialDialogId = 'handoffSteps';
  }

  private async askReason(step: WaterfallStepContext) {
    const options = (step.options ?? { trigger: 'user' }) as HandoffDialogOptions;
    const lang = turnLang(step.context);
    if (!this.deps.handoff) {
      await step.context.sendActivity(localized(this.deps.t, lang, { key: 'handoff:unavailable.noAgents', actions: TAWASUL_ACTIONS }));
      return step.endDialog();
    }
    // Nobody to talk to (closed, nobody online): say so before asking for a reason that nobody will read.
    if (!(await this.available(step))) return step.endDialog();
    const reason = options.reason?.trim();
    if (reason) return step.next(reason);
    const prompt = localized(this.deps.t, lang, { key: options.trigger === 'failure' ? 'handoff:askReasonAfterFailure' : 'handoff:askReason' });
    return step.prompt(REASON_PROMPT, { prompt, retryPrompt: localized(this.deps.t, lang, { key: 'handoff:askReason' }) });
  }

  private async handOver(step: WaterfallStepContext) {
    const hub = this.deps.handoff as HandoffHub;
    const options = (step.options ?? { trigger: 'user' }) as HandoffDialogOptions;
    const context = step.context;
    const lang = turnLang(context);
    const t = this.deps.t;
    const request: HandoffRequest = {
      reference: TurnContext.getConversationReference(context.activity),
      lang,
      reason: String(step.result ?? '').trim().slice(0, MAX_REASON_CHARS),
      trigger: options.trigger,
      task: options.task,
    };

    // Checked again: the last agent may have signed out while the reason was being typed.
    if (!(await this.available(step))) return step.endDialog();

    if (hub.mode === 'protocol') {
      await hub.startProtocol(request);
      const entries = await hub.transcript(request.reference);
      const transcript: Transcript = {
        activities: entries.map(
          (e) =>
            ({
              type: 'message',
              text: e.text,
              timestamp: new Date(e.at),
              from: { id: e.role, name: e.role, role: e.role === 'user' ? 'user' : 'bot' },
            }) as Activity,
        ),
      };
      const handoffContext = { reason: request.reason, trigger: request.trigger, language: lang, task: request.task ?? {} };
      await context.sendActivity(EventFactory.createHandoffInitiation(context, { context: handoffContext }, transcript));
      await context.sendActivity(t(lang, 'handoff:protocol.waiting'));
      return step.endDialog();
    }

    const { position, waitMinutes } = await hub.enqueue(request);
    await context.sendActivity(
      localized(t, lang, {
        key: 'handoff:queued',
        args: { position, minutes: t(lang, 'handoff:minutes', { count: waitMinutes }) },
        actions: ['handoff:cancelWaiting'],
      }),
    );
    return step.endDialog();
  }

  /** Working hours and agents online (or the external contact center): when closed, offers Tawasul and says false. */
  private async available(step: WaterfallStepContext): Promise<boolean> {
    const hub = this.deps.handoff as HandoffHub;
    const availability = await hub.availability();
    if (availability.open) return true;
    const key = availability.why === 'closed' ? 'handoff:unavailable.closed' : 'handoff:unavailable.noAgents';
    await step.context.sendActivity(localized(this.deps.t, turnLang(step.context), { key, actions: TAWASUL_ACTIONS }));
    return false;
  }
}

export const handoffDialogFactory = (deps: FeatureDeps) => new HandoffDialog(deps);
