/**
 * Iqama renewal for a family member (seed 004): verify → choose the dependent → eligibility
 * (every failed condition named with what to do, and a next step offered) → duration and
 * fee → review (changeable) → bill (SADAD) → submit → request number.
 *
 * Everything collected lives in the dialog's options (RenewalState), and each step skips
 * what is already known. So "resume" is one move: replaceDialog with the same state. That is
 * how an expired session re-verifies and carries on, and how a retry after the services API
 * failed repeats only the failed call, with the same idempotency keys (never a second bill or
 * a second request).
 */
import { ActionTypes, type Activity, CardFactory, type CardAction, type TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  type DialogTurnResult,
  type FoundChoice,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { isServiceError, type Bill, type Dependent, type EligibilityFailure, type RenewalEligibility } from '../adapters/services/types';
import { newIdempotencyKey } from '../adapters/services/client';
import type { ConversationData, VerifiedSession } from './deps';
import type { DialogFactory, FeatureDeps } from './registry';
import { DIALOG_IDS, type TaskDialogOptions } from './mainDialog';
import { formatBothCalendars } from './format/dates';
import { localized } from './localizedPrompt';
import { findChoice, LocalChoicePrompt } from './prompts';
import { clearSession, describeServiceError, isSessionExpired } from './serviceErrors';
import { dependentsFor, validityPhrase } from './status/format';
import { turnLang, turnLogger } from './turnState';
import { VERIFY_IDENTITY_ID, VerifyIdentityDialog } from './verifyIdentityDialog';
import { extractEntities } from './understanding/entities';
import { maskId } from './understanding/idNumber';
import { normalizeForMatching, type Lang } from './understanding/normalize';
import type { Relation } from './understanding/types';

const STEPS = 'iqamaRenewalSteps';
const CHOICE = 'iqamaChoice';
const NS = 'iqama:';

/** What the flow has collected so far; passed along on every replaceDialog. */
export interface RenewalState {
  relation?: Relation;
  dependentId?: string;
  months?: number;
  /** One key per user action, reused on retry: the service then returns the first result. */
  billKey: string;
  submitKey: string;
  billNumber?: string;
  /** The user confirmed the review; the bill step comes next. */
  confirmed?: boolean;
  /** The user said they paid; the submit step comes next. */
  paid?: boolean;
  /** The session expired mid-flow: the identity step says so before asking again. */
  reverify?: boolean;
}

/** What the steps of one waterfall run share (botbuilder types step.values as object). */
interface StepValues {
  state?: RenewalState;
  /** Set when the step asked "try again?" (or a next step), so the next step reads a choice of that kind. */
  retryState?: RenewalState;
  /** Set when the dependent is not eligible and the step asked what to do next. */
  dead?: boolean;
  session?: VerifiedSession;
  dependents?: Dependent[];
  dependent?: Dependent;
  eligibility?: RenewalEligibility;
}

const vals = (step: WaterfallStepContext) => step.values as StepValues;

type Next = 'another' | 'retry' | 'confirm' | 'changeDependent' | 'changeDuration' | 'paid' | 'later' | 'menu';

export interface IqamaRenewalOptions {
  now?: () => Date;
}

export class IqamaRenewalDialog extends ComponentDialog {
  private readonly now: () => Date;

  constructor(private readonly deps: FeatureDeps, options: IqamaRenewalOptions = {}) {
    super(DIALOG_IDS.iqamaRenewal);
    this.now = options.now ?? (() => new Date());
    this.addDialog(new VerifyIdentityDialog(deps));
    this.addDialog(new LocalChoicePrompt(CHOICE, async (pc) => {
      if (pc.recognized.succeeded) return true;
      // "سنة" or "6 شهور" for a duration button titled "12 months — …".
      const months = extractEntities(pc.context.activity.text ?? '').months;
      const choices = (pc.options.choices ?? []).map((c) => (typeof c === 'string' ? { value: c } : c));
      const index = months === undefined ? -1 : choices.findIndex((c) => c.value === `months:${months}`);
      if (index >= 0) {
        pc.recognized.value = { value: choices[index]!.value, index, score: 1 };
        return true;
      }
      return false;
    }));
    this.addDialog(new WaterfallDialog(STEPS, [
      this.verify.bind(this),
      this.chooseDependent.bind(this),
      this.checkEligibility.bind(this),
      this.chooseDuration.bind(this),
      this.review.bind(this),
      this.bill.bind(this),
      this.submit.bind(this),
      this.after.bind(this),
    ]));
    this.initialDialogId = STEPS;
  }

  /** The router's options (first entry) or our own state (every replaceDialog), kept for the waterfall's steps. */
  private stateOf(step: WaterfallStepContext): RenewalState {
    const kept = vals(step).state as RenewalState | undefined;
    if (kept) return kept;
    const options = (step.options ?? {}) as Partial<RenewalState> & Partial<TaskDialogOptions>;
    let state: RenewalState;
    if (options.billKey) state = { ...(options as RenewalState) };
    else {
      const relation = options.understanding?.entities.relation ?? (options.text ? extractEntities(options.text).relation : undefined);
      state = { billKey: newIdempotencyKey(), submitKey: newIdempotencyKey(), ...(relation ? { relation } : {}) };
    }
    vals(step).state = state;
    return state;
  }

  private t(context: TurnContext, key: string, args?: Record<string, unknown>): string {
    return this.deps.t(turnLang(context), NS + key, args);
  }

  private async conversation(context: TurnContext): Promise<ConversationData> {
    return this.deps.state.conversation.get(context, {});
  }

  private choices(lang: Lang, items: Array<[Next | string, string]>): Array<{ value: string; action: CardAction }> {
    return items.map(([value, title]) => ({ value, action: { type: ActionTypes.ImBack, title, value: title } }));
  }

  private nextStepChoices(lang: Lang, extra: Array<[Next, string]> = []): Array<{ value: string; action: CardAction }> {
    const t = this.deps.t;
    return this.choices(lang, [...extra, ['another', t(lang, `${NS}next.another`)], ['tawasul', t(lang, 'menu.tawasul')], ['agent', t(lang, 'menu.agent')], ['menu', t(lang, 'intent.menu')]]);
  }

  /** Services failed: expired session → verify again and resume; otherwise say so and offer a retry. */
  private async failed(step: WaterfallStepContext, state: RenewalState, err: unknown): Promise<DialogTurnResult> {
    const lang = turnLang(step.context);
    if (isSessionExpired(err)) {
      clearSession(await this.conversation(step.context));
      return step.replaceDialog(STEPS, { ...state, reverify: true });
    }
    turnLogger(step.context)?.warn({ kind: isServiceError(err) ? err.kind : 'unknown', reason: isServiceError(err) ? err.reason : undefined }, 'iqama renewal: services call failed');
    await step.context.sendActivity(describeServiceError(this.deps.t, lang, err));
    vals(step).retryState = state;
    return step.prompt(CHOICE, {
      prompt: localized(this.deps.t, lang, { key: `${NS}retryPrompt` }),
      choices: this.choices(lang, [['retry', this.deps.t(lang, `${NS}next.retry`)], ['agent', this.deps.t(lang, 'menu.agent')], ['menu', this.deps.t(lang, 'intent.menu')]]),
    });
  }

  // 1. Verify (returns at once when the conversation already holds a live session).
  private async verify(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const data = await this.conversation(step.context);
    data.task = { ...(data.task ?? {}), intent: 'iqama.renew' };
    if (!this.deps.services) {
      await step.context.sendActivity(this.deps.t(turnLang(step.context), 'menu.notYet'));
      return step.endDialog();
    }
    const reverify = state.reverify;
    delete state.reverify;
    return step.beginDialog(VERIFY_IDENTITY_ID, reverify ? { reason: 'expired' } : undefined);
  }

  // 2. Which dependent: by relation from the first message, else a choice.
  private async chooseDependent(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const session = step.result as VerifiedSession | undefined;
    if (!session) return step.endDialog();
    vals(step).session = session;
    const lang = turnLang(step.context);
    let dependents: Dependent[];
    try {
      dependents = await this.deps.services!.listDependents(session.token);
    } catch (err) {
      return this.failed(step, state, err);
    }
    vals(step).dependents = dependents;
    if (state.dependentId && dependents.some((d) => d.id === state.dependentId)) return step.next({ value: state.dependentId, index: 0, score: 1 });
    const holders = dependents.filter((d) => d.iqama);
    if (dependents.length === 0) {
      await step.context.sendActivity(localized(this.deps.t, lang, { key: `${NS}noDependents`, actions: ['menu.agent', 'intent.menu'] }));
      return step.endDialog();
    }
    const matching = dependentsFor(dependents, state.relation);
    if (state.relation && matching.length === 1) return step.next({ value: matching[0]!.id, index: 0, score: 1 });
    const shown = state.relation && matching.length > 1 ? matching : dependents;
    const now = this.now();
    const lines = shown.map((d, i) => this.t(step.context, 'dependentLine', {
      n: i + 1,
      name: d.name[lang],
      relation: d.relationshipLabel[lang],
      id: maskId(d.idNumber),
      validity: d.iqama ? validityPhrase(this.deps.t, lang, d.iqama.expiryDate, now) : this.t(step.context, 'noIqama'),
    }));
    const intro = holders.length === 0 ? 'chooseIntroNoHolders' : 'chooseIntro';
    return step.prompt(CHOICE, {
      prompt: localized(this.deps.t, lang, { key: `${NS}choose`, args: { intro: this.t(step.context, intro), list: lines.join('\n') } }),
      retryPrompt: localized(this.deps.t, lang, { key: `${NS}chooseAgain` }),
      choices: shown.map((d) => ({
        value: d.id,
        action: { type: ActionTypes.ImBack, title: `${d.name[lang]} (${d.relationshipLabel[lang]})`, value: `${d.name[lang]} (${d.relationshipLabel[lang]})` },
        // The other language's name, and the ID number, also pick the dependent.
        synonyms: [d.name.ar, d.name.en, d.idNumber, d.idNumber.slice(-4)],
      })),
    });
  }

  // 3. Eligibility for the chosen dependent.
  private async checkEligibility(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const picked = step.result as FoundChoice | undefined;
    if (vals(step).retryState || !picked) return this.afterRetryChoice(step, picked);
    const session = vals(step).session as VerifiedSession;
    const dependents = vals(step).dependents as Dependent[];
    const dependent = dependents.find((d) => d.id === picked.value);
    if (!dependent) return step.replaceDialog(STEPS, { ...state, dependentId: undefined, relation: undefined });
    state.dependentId = dependent.id;
    const lang = turnLang(step.context);
    const data = await this.conversation(step.context);
    data.task = { intent: 'iqama.renew', verified: true, details: { dependent: `${dependent.name[lang]} (${maskId(dependent.idNumber)})` } };
    let eligibility: RenewalEligibility;
    try {
      eligibility = await this.deps.services!.getRenewalEligibility(session.token, dependent.id);
    } catch (err) {
      return this.failed(step, state, err);
    }
    vals(step).dependent = dependent;
    vals(step).eligibility = eligibility;
    if (!eligibility.eligible) {
      const reasons = eligibility.failures.map((f) => `• ${this.failureText(step.context, f)}`).join('\n');
      await step.context.sendActivity(this.t(step.context, 'notEligible', { name: dependent.name[lang], reasons }));
      vals(step).dead = true;
      return step.prompt(CHOICE, { prompt: localized(this.deps.t, lang, { key: `${NS}nextPrompt` }), choices: this.nextStepChoices(lang) });
    }
    if (state.months && eligibility.durations.some((d) => d.months === state.months)) return step.next({ value: `months:${state.months}`, index: 0, score: 1 });
    return step.prompt(CHOICE, {
      prompt: localized(this.deps.t, lang, { key: `${NS}duration`, args: { name: dependent.name[lang] } }),
      retryPrompt: localized(this.deps.t, lang, { key: `${NS}durationAgain` }),
      choices: eligibility.durations.map((d) => {
        const title = this.t(step.context, 'durationOption', { count: d.months, fee: d.fee });
        return { value: `months:${d.months}`, action: { type: ActionTypes.ImBack, title, value: title }, synonyms: [String(d.months)] };
      }),
    });
  }

  private failureText(context: TurnContext, f: EligibilityFailure): string {
    const lang = turnLang(context);
    switch (f.code) {
      case 'unpaid_fees':
        return this.t(context, 'failure.unpaid_fees', { amount: f.amount });
      case 'unpaid_violations':
        return this.t(context, 'failure.unpaid_violations', { count: f.count, amount: f.amount });
      case 'passport_expired':
        return this.t(context, 'failure.passport_expired', { date: formatBothCalendars(f.expiryDate, lang) });
      case 'health_insurance_expired':
        return this.t(context, 'failure.health_insurance_expired', { date: formatBothCalendars(f.expiryDate, lang) });
      case 'renewal_in_progress':
        return this.t(context, 'failure.renewal_in_progress', { number: f.requestNumber });
      default:
        return this.t(context, `failure.${f.code}`);
    }
  }

  /** The answer to a retry or next-step question; undefined means the prompt was left. */
  private async afterRetryChoice(step: WaterfallStepContext, picked: FoundChoice | undefined): Promise<DialogTurnResult> {
    const state = (vals(step).retryState as RenewalState | undefined) ?? this.stateOf(step);
    const lang = turnLang(step.context);
    switch (picked?.value) {
      case 'retry':
        return step.replaceDialog(STEPS, state);
      case 'another':
        return step.replaceDialog(STEPS, { billKey: newIdempotencyKey(), submitKey: newIdempotencyKey() } satisfies RenewalState);
      case 'later':
        await step.context.sendActivity(this.t(step.context, 'payLater', { number: state.billNumber ?? '' }));
        return step.endDialog();
      default:
        await step.context.sendActivity(this.deps.t(lang, 'menu.anythingElse'));
        return step.endDialog();
    }
  }

  // 4. Duration chosen → review.
  private async chooseDuration(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const picked = step.result as FoundChoice | undefined;
    if (vals(step).retryState || vals(step).dead || !picked) return this.afterRetryChoice(step, picked);
    state.months = Number(picked.value.replace('months:', ''));
    return this.showReview(step, state);
  }

  private async showReview(step: WaterfallStepContext, state: RenewalState): Promise<DialogTurnResult> {
    const lang = turnLang(step.context);
    const dependent = vals(step).dependent as Dependent;
    const eligibility = vals(step).eligibility as RenewalEligibility;
    const duration = eligibility.durations.find((d) => d.months === state.months)!;
    if (state.confirmed) return step.next({ value: 'confirm', index: 0, score: 1 });
    const facts: Array<[string, string]> = [
      [this.t(step.context, 'review.dependent'), `${dependent.name[lang]} (${dependent.relationshipLabel[lang]}, ${maskId(dependent.idNumber)})`],
      [this.t(step.context, 'review.expiry'), dependent.iqama ? formatBothCalendars(dependent.iqama.expiryDate, lang) : '—'],
      [this.t(step.context, 'review.duration'), this.t(step.context, 'months', { count: duration.months })],
      [this.t(step.context, 'review.fee'), this.t(step.context, 'sar', { amount: duration.fee })],
    ];
    const data = await this.conversation(step.context);
    data.task = { intent: 'iqama.renew', verified: true, details: { dependent: `${dependent.name[lang]} (${maskId(dependent.idNumber)})`, months: String(duration.months), fee: String(duration.fee) } };
    const choices = this.choices(lang, [
      ['confirm', this.t(step.context, 'next.confirm')],
      ['changeDependent', this.t(step.context, 'next.changeDependent')],
      ['changeDuration', this.t(step.context, 'next.changeDuration')],
    ]);
    const title = this.t(step.context, 'review.title');
    // A card where cards render (web chat), plain text where they do not (WhatsApp).
    if (step.context.activity.channelId !== 'whatsapp') {
      const card = CardFactory.adaptiveCard({
        type: 'AdaptiveCard',
        version: '1.5',
        rtl: lang === 'ar',
        body: [
          { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true },
          { type: 'FactSet', facts: facts.map(([k, v]) => ({ title: k, value: v })) },
        ],
      });
      await step.context.sendActivity({ type: 'message', attachments: [card], text: '' } as Partial<Activity>);
    } else {
      await step.context.sendActivity(`${title}\n${facts.map(([k, v]) => `• ${k}: ${v}`).join('\n')}`);
    }
    return step.prompt(CHOICE, { prompt: localized(this.deps.t, lang, { key: `${NS}review.ask` }), retryPrompt: localized(this.deps.t, lang, { key: `${NS}review.ask` }), choices });
  }

  // 5. Review answered → the bill.
  private async review(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const picked = step.result as FoundChoice | undefined;
    if (vals(step).retryState || vals(step).dead || !picked) return this.afterRetryChoice(step, picked);
    if (picked.value === 'changeDependent') return step.replaceDialog(STEPS, { ...state, dependentId: undefined, relation: undefined, months: undefined, billKey: newIdempotencyKey() });
    if (picked.value === 'changeDuration') return step.replaceDialog(STEPS, { ...state, months: undefined, billKey: newIdempotencyKey() });
    state.confirmed = true;
    const lang = turnLang(step.context);
    const session = vals(step).session as VerifiedSession;
    let bill: Bill;
    try {
      bill = await this.deps.services!.createRenewalBill(session.token, { dependentId: state.dependentId!, months: state.months! }, state.billKey);
    } catch (err) {
      return this.failed(step, state, err);
    }
    state.billNumber = bill.billNumber;
    if (state.paid) return step.next({ value: 'paid', index: 0, score: 1 });
    await step.context.sendActivity(this.t(step.context, 'bill', {
      sadad: bill.sadadNumber,
      biller: `${bill.billerName[lang]} (${bill.billerCode})`,
      amount: bill.amount,
      due: formatBothCalendars(bill.dueDate, lang),
    }));
    return step.prompt(CHOICE, {
      prompt: localized(this.deps.t, lang, { key: `${NS}payAsk` }),
      choices: this.choices(lang, [['paid', this.t(step.context, 'next.paid')], ['later', this.t(step.context, 'next.later')]]),
    });
  }

  // 6. Paid → submit.
  private async bill(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const picked = step.result as FoundChoice | undefined;
    if (vals(step).retryState || vals(step).dead || picked?.value !== 'paid') return this.afterRetryChoice(step, picked);
    state.paid = true;
    const lang = turnLang(step.context);
    const session = vals(step).session as VerifiedSession;
    try {
      const submitted = await this.deps.services!.submitRenewal(session.token, { billNumber: state.billNumber! }, state.submitKey);
      const dependent = vals(step).dependent as Dependent;
      const data = await this.conversation(step.context);
      data.task = undefined;
      await step.context.sendActivity(this.t(step.context, 'submitted', { number: submitted.requestNumber, name: dependent.name[lang], status: submitted.statusLabel[lang] }));
      return step.prompt(CHOICE, { prompt: localized(this.deps.t, lang, { key: `${NS}anotherAsk` }), choices: this.choices(lang, [['another', this.t(step.context, 'next.another')], ['menu', this.deps.t(lang, 'intent.menu')]]) });
    } catch (err) {
      if (isServiceError(err) && err.kind === 'conflict' && err.reason === 'bill_unpaid') {
        state.paid = false;
        await step.context.sendActivity(this.t(step.context, 'notPaidYet', { sadad: state.billNumber }));
        vals(step).retryState = state;
        return step.prompt(CHOICE, { prompt: localized(this.deps.t, lang, { key: `${NS}payAsk` }), choices: this.choices(lang, [['retry', this.t(step.context, 'next.checkAgain')], ['later', this.t(step.context, 'next.later')]]) });
      }
      return this.failed(step, state, err);
    }
  }

  // 7. After submitting (or a retry/next-step question asked by the submit step).
  private async submit(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const picked = step.result as FoundChoice | undefined;
    if (vals(step).retryState && picked?.value === 'retry') return step.replaceDialog(STEPS, { ...(vals(step).retryState as RenewalState), paid: true, confirmed: true });
    return this.afterRetryChoice(step, picked);
  }

  private async after(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.endDialog();
  }
}

export const iqamaRenewalDialogFactory: DialogFactory = (deps) => new IqamaRenewalDialog(deps);

/** For tests: the title the review's choice buttons carry, matched like a typed answer. */
export function matchesTitle(text: string, title: string): boolean {
  return findChoice(text, [{ value: 'x', action: { type: ActionTypes.ImBack, title, value: title } }]) !== undefined || normalizeForMatching(text) === normalizeForMatching(title);
}
