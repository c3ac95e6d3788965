/**
 * What every verified family task shares (iqama renewal, travel permits, passport update): the
 * identity step and the question prompt (AskPrompt); the task's state, read once per run from
 * the router's options on the first run or from our own on every replaceDialog; what an agent
 * sees of the task on handoff; a services failure turned into "verify again and resume" (an
 * expired session) or a polite retry question; and the way back to the menu. Each task keeps
 * its own steps, its own state and its own reading of the answers.
 */
import type { Activity, TurnContext } from 'botbuilder';
import { ComponentDialog, type DialogTurnResult, WaterfallDialog, type WaterfallStep, type WaterfallStepContext } from 'botbuilder-dialogs';
import { isServiceError } from '../../adapters/services/types';
import type { ConversationData, TaskContext, Translate } from '../deps';
import type { FeatureDeps } from '../registry';
import type { TaskDialogOptions } from '../mainDialog';
import { menuActivity } from '../menu';
import { describeServiceError, isSessionExpired } from '../serviceErrors';
import { turnLang, turnLogger } from '../turnState';
import { beginVerification, restartVerified, VerifyIdentityDialog } from '../verifyIdentityDialog';
import type { Lang } from '../understanding/normalize';
import { ask, AskPrompt, type AskSpec } from './ask';

/** Marks the task's own state (vs the router's options on a first run); reverify: the session expired mid-flow. */
export interface VerifiedTaskState {
  started: true;
  reverify?: boolean;
}

export interface VerifiedTaskSpec {
  /** The dialog's id (DIALOG_IDS), its waterfall's and its question prompt's. */
  id: string;
  steps: string;
  ask: string;
  /** The task's locale namespace (`t()` prefixes it). */
  ns: string;
  /** The intent an agent sees the task under. */
  intent: string;
  /** Names the task in the log line of a failed services call. */
  label: string;
  /** What the task says when no services API is configured (it cannot verify anyone). */
  withoutServices: (t: Translate, lang: Lang) => string | Partial<Activity>;
}

/** What one run of the waterfall keeps, as far as the shared steps read it. */
interface SharedValues<S> {
  state?: S;
  recovery?: string;
}

export abstract class VerifiedTaskDialog<S extends VerifiedTaskState> extends ComponentDialog {
  protected readonly now: () => Date;

  constructor(
    protected readonly deps: FeatureDeps,
    private readonly spec: VerifiedTaskSpec,
    now?: () => Date,
  ) {
    super(spec.id);
    this.now = now ?? (() => new Date());
    this.addDialog(new VerifyIdentityDialog(deps));
    this.addDialog(new AskPrompt(spec.ask, deps.t, this.now));
  }

  /** The task's waterfall, its first dialog (once, from the task's constructor). */
  protected setSteps(steps: WaterfallStep[]): void {
    this.addDialog(new WaterfallDialog(this.spec.steps, steps));
    this.initialDialogId = this.spec.steps;
  }

  /** The state of a first run, from what the router understood of the opening message. */
  protected abstract fromRouter(options: Partial<TaskDialogOptions>): S;

  /** What an agent sees on handoff at this stage: masked facts only (setTask). */
  protected abstract record(context: TurnContext, state: S, stage: string): Promise<void>;

  /** The router's options on the first run, our own state on every replaceDialog. */
  protected stateOf(step: WaterfallStepContext): S {
    const values = step.values as SharedValues<S>;
    if (values.state) return values.state;
    const options = (step.options ?? {}) as Partial<S> & Partial<TaskDialogOptions>;
    values.state = options.started ? { ...(options as S) } : this.fromRouter(options);
    return values.state;
  }

  protected t(context: TurnContext, key: string, args?: Record<string, unknown>): string {
    return this.deps.t(turnLang(context), this.spec.ns + key, args);
  }

  protected conversation(context: TurnContext): Promise<ConversationData> {
    return this.deps.state.conversation.get(context, {});
  }

  protected prompt(step: WaterfallStepContext, spec: AskSpec): Promise<DialogTurnResult> {
    return step.prompt(this.spec.ask, ask(this.deps.t, turnLang(step.context), step.context.activity.channelId, spec, this.now()));
  }

  protected async setTask(context: TurnContext, details: Record<string, string>): Promise<void> {
    const data = await this.conversation(context);
    data.task = { intent: this.spec.intent, verified: data.session !== undefined, details } satisfies TaskContext;
  }

  /** A services call failed: an expired session verifies again and resumes; anything else offers a retry. */
  protected async failed(step: WaterfallStepContext, state: S, err: unknown): Promise<DialogTurnResult> {
    if (isSessionExpired(err)) return restartVerified(step, this.deps, this.spec.steps, state);
    turnLogger(step.context)?.warn({ kind: isServiceError(err) ? err.kind : 'unknown', reason: isServiceError(err) ? err.reason : undefined }, `${this.spec.label}: services call failed`);
    await step.context.sendActivity(describeServiceError(this.deps.t, turnLang(step.context), err));
    (step.values as SharedValues<S>).recovery = 'retry';
    return this.prompt(step, { kind: 'buttons', text: 'iqama:retryPrompt', keys: [['retry', 'iqama:next.retry'], ['agent', 'menu.agent'], ['menu', 'intent.menu']], yes: 'retry', no: 'menu' });
  }

  /** "Anything else?" with the menu; the task ends. */
  protected async toMenu(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = turnLang(step.context);
    await step.context.sendActivity(menuActivity(this.deps.t, lang, this.deps.t(lang, 'menu.anythingElse')));
    return step.endDialog();
  }

  // 1. Identity (returns at once while the conversation holds a live session).
  protected async verify(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    await this.record(step.context, state, 'verify');
    if (!this.deps.services) {
      await step.context.sendActivity(this.spec.withoutServices(this.deps.t, turnLang(step.context)));
      return step.endDialog();
    }
    return beginVerification(step, state);
  }
}
