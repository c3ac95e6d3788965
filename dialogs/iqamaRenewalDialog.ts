/**
 * Iqama renewal for a family member (seed 004): verify → choose the dependent → eligibility
 * (every failed condition named with what to do, then a next step, never a dead end) →
 * duration and fee → review (changeable) → SADAD bill → submit → request number.
 *
 * Everything collected lives in RenewalState, passed as the waterfall's options, and each
 * step skips what the state already holds. "Resume" is therefore one move, replaceDialog
 * with the same state: an expired session re-verifies and carries on, and a retry after the
 * services failed repeats only what is needed, with the same idempotency keys (the service
 * replays the first bill or request instead of making a second one). The keys are derived from
 * the content (who, dependent, duration and the services' day for a bill; who and the bill for a
 * request), so starting over from the menu or in a new conversation after a lost answer makes
 * no second bill either.
 */
import type { TurnContext } from 'botbuilder';
import type { DialogTurnResult, FoundChoice, WaterfallStepContext } from 'botbuilder-dialogs';
import { isServiceError, type Bilingual, type Bill, type Dependent, type EligibilityFailure, type RenewalEligibility } from '../adapters/services/types';
import { contentIdempotencyKey } from '../adapters/services/client';
import type { VerifiedSession } from './deps';
import type { DialogFactory, FeatureDeps } from './registry';
import { DIALOG_IDS, type TaskDialogOptions } from './mainDialog';
import { formatBothCalendars } from './format/dates';
import { localized } from './localizedPrompt';
import { turnLang, turnLogger } from './turnState';
import { extractEntities } from './understanding/entities';
import type { Relation } from './understanding/types';
import { VerifiedTaskDialog } from './iqama/verifiedTask';
import { whoOf } from './verifyIdentityDialog';
import { type AskResult, type DependentView, type NextStep, preselect, viewOf } from './iqama/ask';
import { genderOf } from './format/gender';

/** A bill the user will pay later: coming back to the same dependent and duration reuses it. */
const STEPS = 'iqamaRenewalSteps';
const ASK = 'iqamaAsk';
const NS = 'iqama:';

/** What the flow has collected; passed along on every replaceDialog. */
export interface RenewalState {
  relation?: Relation;
  /** The first message, read once for a member's first name ("renew my son Omar's iqama"). */
  opening?: string;
  dependent?: DependentView;
  months?: number;
  fee?: number;
  /** Marks our own state (vs the router's options on a first run). */
  started: true;
  bill?: { number: string; sadad: string; amount: number; due: string; biller: Bilingual };
  /** The user confirmed the review: the bill comes next. */
  confirmed?: boolean;
  /** The user said they paid: the submission comes next. */
  paid?: boolean;
  /** The session expired mid-flow: the identity step says so before asking again. */
  reverify?: boolean;
}

/** What one run of the waterfall shares between its steps. */
interface StepValues {
  state?: RenewalState;
  /** The step asked a recovery question (retry, next step, unpaid): the next step reads that answer. */
  recovery?: 'retry' | 'next' | 'unpaid' | 'another';
  session?: VerifiedSession;
  dependents?: DependentView[];
  eligibility?: RenewalEligibility;
}

const vals = (step: WaterfallStepContext) => step.values as StepValues;
const picked = (step: WaterfallStepContext) => step.result as FoundChoice | undefined;
const fresh = (): RenewalState => ({ started: true });

export interface IqamaRenewalOptions {
  /** The services' today (tests: the simulator's clock), for "N days left". */
  now?: () => Date;
}

export class IqamaRenewalDialog extends VerifiedTaskDialog<RenewalState> {
  constructor(deps: FeatureDeps, options: IqamaRenewalOptions = {}) {
    super(deps, { id: DIALOG_IDS.iqamaRenewal, steps: STEPS, ask: ASK, ns: NS, intent: 'iqama.renew', label: 'iqama renewal', withoutServices: (t, lang) => t(lang, 'menu.notYet') }, options.now);
    this.setSteps([
      this.verify.bind(this),
      this.chooseDependent.bind(this),
      this.checkEligibility.bind(this),
      this.showReview.bind(this),
      this.issueBill.bind(this),
      this.submit.bind(this),
      this.finish.bind(this),
    ]);
  }

  protected fromRouter(options: Partial<TaskDialogOptions>): RenewalState {
    const relation = options.understanding?.entities.relation ?? (options.text ? extractEntities(options.text).relation : undefined);
    return { ...fresh(), ...(relation ? { relation } : {}), ...(options.text ? { opening: options.text } : {}) };
  }

  /** What an agent sees on handoff: masked facts only. */
  protected async record(context: TurnContext, state: RenewalState, stage: string, extra: Record<string, string> = {}): Promise<void> {
    const lang = turnLang(context);
    const details: Record<string, string> = { stage };
    if (state.dependent) details.dependent = `${state.dependent.name[lang]} (${state.dependent.idMasked})`;
    if (state.months) details.months = String(state.months);
    if (state.fee !== undefined) details.fee = `${state.fee} SAR`;
    if (state.bill) details.sadadNumber = state.bill.sadad;
    await this.setTask(context, { ...details, ...extra });
  }

  /** The answer to a recovery question asked by the previous step. Menu titles never get here: the router takes them. */
  private async recover(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const answer = picked(step)?.value as NextStep | undefined;
    if (answer === 'retry' || answer === 'checkAgain') return step.replaceDialog(STEPS, state);
    if (answer === 'another') return step.replaceDialog(STEPS, fresh());
    if (answer === 'later') return this.payLater(step, state);
    // 'tawasul' / 'agent' / 'menu' reach here only by their place in the list ("3"): show the menu to tap.
    return this.toMenu(step);
  }

  // 2. Which family member: known already, named in the first message, or asked.
  private async chooseDependent(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const session = step.result as VerifiedSession | undefined;
    if (!session) return step.endDialog(); // the identity step said why and offered an agent
    vals(step).session = session;
    // Past the review nothing needs fetching again (a request already submitted would now read "in progress").
    if (state.confirmed && state.dependent) return step.next({ value: state.dependent.id, index: 0, score: 1 });
    const lang = turnLang(step.context);
    let list: Dependent[];
    try {
      list = await this.deps.services!.listDependents(session.token);
    } catch (err) {
      return this.failed(step, state, err);
    }
    const views = list.map(viewOf);
    vals(step).dependents = views;
    if (list.length === 0) {
      await step.context.sendActivity(localized(this.deps.t, lang, { key: `${NS}noDependents`, actions: ['menu.agent', 'intent.menu'] }));
      return step.endDialog();
    }
    const known = state.dependent && views.find((d) => d.id === state.dependent!.id);
    if (known) return step.next({ value: known.id, index: 0, score: 1 });
    const { chosen, shown } = preselect(list, state.relation, state.opening);
    delete state.opening;
    if (chosen) return step.next({ value: chosen.id, index: 0, score: 1 });
    await this.record(step.context, state, 'choose dependent');
    return this.prompt(step, {
      kind: 'dependent',
      dependents: shown.map(viewOf),
      idNumbers: shown.map((d) => d.idNumber),
      filtered: shown.length < list.length,
      noHolders: !list.some((d) => d.iqama),
    });
  }

  // 3. Eligibility of the chosen member; then the duration.
  private async checkEligibility(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (vals(step).recovery) return this.recover(step);
    const state = this.stateOf(step);
    const choice = picked(step);
    const dependent = state.confirmed ? state.dependent : vals(step).dependents?.find((d) => d.id === choice?.value);
    if (!dependent) return step.replaceDialog(STEPS, { ...state, dependent: undefined, relation: undefined });
    state.dependent = dependent;
    if (state.confirmed && state.months) return step.next({ value: `months:${state.months}`, index: 0, score: 1 });
    const session = vals(step).session!;
    const lang = turnLang(step.context);
    let eligibility: RenewalEligibility;
    try {
      eligibility = await this.deps.services!.getRenewalEligibility(session.token, dependent.id);
    } catch (err) {
      return this.failed(step, state, err);
    }
    vals(step).eligibility = eligibility;
    if (!eligibility.eligible) {
      await this.record(step.context, state, 'not eligible', { failures: eligibility.failures.map((f) => f.code).join(', ') });
      const failures = eligibility.failures;
      // A citizen has no iqama at all: that is said as a fact, not as something to fix "for now".
      const text =
        failures.length === 1 && failures[0]?.code === 'not_iqama_holder'
          ? this.t(step.context, 'noIqamaToRenew', { name: dependent.name[lang], context: genderOf(dependent) })
          : this.t(step.context, 'notEligible', { name: dependent.name[lang], count: failures.length, reasons: failures.map((f) => `• ${this.failureText(step.context, f)}`).join('\n') });
      await step.context.sendActivity(text);
      vals(step).recovery = 'next';
      return this.prompt(step, {
        kind: 'buttons',
        text: `${NS}nextPrompt`,
        keys: [['another', `${NS}next.another`], ['tawasul', 'menu.tawasul'], ['agent', 'menu.agent'], ['menu', 'intent.menu']],
      });
    }
    if (state.months && eligibility.durations.some((d) => d.months === state.months)) return step.next({ value: `months:${state.months}`, index: 0, score: 1 });
    await this.record(step.context, state, 'choose duration');
    return this.prompt(step, { kind: 'duration', name: dependent.name, durations: eligibility.durations.map((d) => ({ months: d.months, fee: d.fee })) });
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

  /**
   * A correction of a field collected earlier (the interpreter's reading): apply its value and
   * run the flow again, which skips to the review with everything else kept; without a value,
   * that question is asked again.
   */
  private corrected(step: WaterfallStepContext, state: RenewalState): Promise<DialogTurnResult> | undefined {
    const correction = (step.result as AskResult | undefined)?.correction;
    if (!correction) return undefined;
    const back = { ...state, confirmed: false };
    if (correction.field === 'duration') {
      const months = typeof correction.value === 'number' ? correction.value : undefined;
      return step.replaceDialog(STEPS, { ...back, months, fee: undefined });
    }
    const relation = typeof correction.value === 'string' ? (correction.value as Relation) : undefined;
    // The words go along: a first name in them picks the member («بنتي ليلى»).
    return step.replaceDialog(STEPS, { ...back, dependent: undefined, relation, opening: step.context.activity.text ?? '' });
  }

  // 4. Duration chosen → the review (skipped once confirmed).
  private async showReview(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (vals(step).recovery) return this.recover(step);
    const state = this.stateOf(step);
    const correction = this.corrected(step, state);
    if (correction) return correction;
    const months = Number(picked(step)?.value.replace('months:', ''));
    const duration = vals(step).eligibility?.durations.find((d) => d.months === months);
    if (duration) {
      state.months = duration.months;
      state.fee = duration.fee;
    }
    if (state.confirmed) return step.next({ value: 'confirm', index: 0, score: 1 });
    await this.record(step.context, state, 'review');
    return this.prompt(step, { kind: 'review', dependent: state.dependent!, months: state.months!, fee: state.fee! });
  }

  // 5. Review answered: a change goes back to that question; confirm issues the bill.
  private async issueBill(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (vals(step).recovery) return this.recover(step);
    const state = this.stateOf(step);
    const correction = this.corrected(step, state);
    if (correction) return correction;
    const answer = picked(step)?.value as NextStep | undefined;
    if (answer === 'changeDependent') return step.replaceDialog(STEPS, fresh());
    if (answer === 'changeDuration') return step.replaceDialog(STEPS, { ...state, months: undefined, fee: undefined });
    state.confirmed = true;
    const data = await this.conversation(step.context);
    const pending = data.iqamaPendingBill;
    const session = vals(step).session!;
    const input = { dependentId: state.dependent!.id, months: state.months! };
    // A bill left for later is reused on any day; otherwise one bill per person, member, duration and day.
    const billKey =
      pending && pending.dependentId === input.dependentId && pending.months === input.months
        ? pending.billKey
        : contentIdempotencyKey('iqama-bill', { who: whoOf(session), ...input, day: this.now().toISOString().slice(0, 10) });
    // A retry past this point already holds the bill: only the submission is repeated.
    if (!state.bill) {
      let bill: Bill;
      try {
        bill = await this.deps.services!.createRenewalBill(session.token, input, billKey);
      } catch (err) {
        return this.failed(step, state, err);
      }
      state.bill = { number: bill.billNumber, sadad: bill.sadadNumber, amount: bill.amount, due: bill.dueDate, biller: { ar: `${bill.billerName.ar} (${bill.billerCode})`, en: `${bill.billerName.en} (${bill.billerCode})` } };
      data.iqamaPendingBill = { ...input, billKey };
    }
    await this.record(step.context, state, 'awaiting payment');
    if (state.paid) return step.next({ value: 'paid', index: 0, score: 1 });
    const lang = turnLang(step.context);
    const bill = state.bill;
    await step.context.sendActivity(this.t(step.context, 'bill', { sadad: bill.sadad, biller: bill.biller[lang], amount: bill.amount, due: formatBothCalendars(bill.due, lang) }));
    return this.prompt(step, { kind: 'buttons', text: `${NS}payAsk`, retry: `${NS}payAskAgain`, keys: [['paid', `${NS}next.paid`, `${NS}answerWords.paidWords`], ['later', `${NS}next.later`, `${NS}answerWords.laterWords`]], yes: 'paid', no: 'later' });
  }

  private async payLater(step: WaterfallStepContext, state: RenewalState): Promise<DialogTurnResult> {
    const lang = turnLang(step.context);
    const bill = state.bill;
    if (bill) await step.context.sendActivity(this.t(step.context, 'payLater', { sadad: bill.sadad, amount: bill.amount, due: formatBothCalendars(bill.due, lang) }));
    const data = await this.conversation(step.context);
    data.task = undefined;
    return step.endDialog();
  }

  // 6. Paid → submit (an unpaid bill is said so, with "check again").
  private async submit(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (vals(step).recovery) return this.recover(step);
    const state = this.stateOf(step);
    if (picked(step)?.value === 'later') return this.payLater(step, state);
    state.paid = true;
    const lang = turnLang(step.context);
    try {
      const session = vals(step).session!;
      const submitKey = contentIdempotencyKey('iqama-request', { who: whoOf(session), billNumber: state.bill!.number });
      const submitted = await this.deps.services!.submitRenewal(session.token, { billNumber: state.bill!.number }, submitKey);
      const data = await this.conversation(step.context);
      delete data.iqamaPendingBill;
      data.task = undefined;
      turnLogger(step.context)?.info({ months: state.months }, 'iqama renewal submitted');
      await step.context.sendActivity(this.t(step.context, 'submitted', { name: state.dependent!.name[lang], number: submitted.requestNumber, status: submitted.statusLabel[lang] }));
      vals(step).recovery = 'another';
      return this.prompt(step, { kind: 'buttons', text: `${NS}anotherAsk`, keys: [['another', `${NS}next.another`], ['menu', 'intent.menu']], yes: 'another', no: 'menu', closing: true });
    } catch (err) {
      if (isServiceError(err) && err.kind === 'conflict' && err.reason === 'bill_unpaid') {
        await step.context.sendActivity(this.t(step.context, 'notPaidYet', { sadad: state.bill!.sadad }));
        vals(step).recovery = 'unpaid';
        return this.prompt(step, { kind: 'buttons', text: `${NS}payAsk`, retry: `${NS}payAskAgain`, keys: [['checkAgain', `${NS}next.checkAgain`, `${NS}answerWords.paidWords`], ['later', `${NS}next.later`, `${NS}answerWords.laterWords`]], yes: 'checkAgain', no: 'later' });
      }
      return this.failed(step, state, err);
    }
  }

  // 7. The answer to the last question ("another member?", or a retry asked by the submit step).
  private async finish(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return this.recover(step);
  }
}

export function createIqamaRenewalDialogFactory(options: IqamaRenewalOptions = {}): DialogFactory {
  return (deps) => new IqamaRenewalDialog(deps, options);
}

export const iqamaRenewalDialogFactory: DialogFactory = createIqamaRenewalDialogFactory();

