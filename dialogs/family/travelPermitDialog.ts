/**
 * Travel permits for family members (seed 001: unmarried family members under 21, issued or
 * cancelled by the head of the family): verify → the members with their permit (active with
 * its validity in both calendars, none, or refused with the reason) → for the one chosen:
 * cancel an active permit after a confirmation, refuse plainly with the seed's reason for
 * this person, or issue one (duration → review → permit number).
 *
 * Built like the iqama renewal (iqamaRenewalDialog.ts), on the same base (iqama/verifiedTask.ts:
 * identity step, question prompt, failure and retry), the same way of picking a member, everything collected in PermitState passed on every
 * replaceDialog, so an expired session re-verifies and resumes, and a retry repeats only the
 * failed call with the same content-derived idempotency key (the service replays the first
 * permit or cancellation instead of making a second one).
 */
import type { TurnContext } from 'botbuilder';
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { isServiceError, type Dependent, type TravelPermit } from '../../adapters/services/types';
import { contentIdempotencyKey } from '../../adapters/services/client';
import type { VerifiedSession } from '../deps';
import type { DialogFactory, FeatureDeps } from '../registry';
import { DIALOG_IDS, type TaskDialogOptions } from '../mainDialog';
import { faqAnswer } from '../faqDialog';
import { formatBothCalendars } from '../format/dates';
import { localized } from '../localizedPrompt';
import { turnLang, turnLogger } from '../turnState';
import { extractEntities } from '../understanding/entities';
import { normalizeForMatching } from '../understanding/normalize';
import type { Relation } from '../understanding/types';
import { VerifiedTaskDialog } from '../iqama/verifiedTask';
import { whoOf } from '../verifyIdentityDialog';
import { type AskResult, CORRECTABLE, type DependentView, genderOf, type NextStep, preselect, viewOf } from '../iqama/ask';

const STEPS = 'travelPermitSteps';
const ASK = 'travelPermitAsk';
const NS = 'family:permit.';
/** Durations offered (the services API takes 1–12 months and never past the 21st birthday). */
const MONTHS = [3, 6, 12] as const;
const AGE_LIMIT = 21;

/** Why a member cannot have a permit, in the seed's terms. */
type Refusal = 'over21' | 'married';

/** A member as this task shows them: the list's view, plus what decides a permit. */
interface Member extends DependentView {
  gender: 'male' | 'female';
  refusal?: Refusal;
  /** The active permit, if any. */
  permit?: { number: string; validUntil: string };
}

export interface PermitState {
  relation?: Relation;
  opening?: string;
  /** The first message asked to cancel («ألغ تصريح ريم»). */
  cancelWanted?: boolean;
  member?: Member;
  months?: number;
  started: true;
  /** The review was confirmed: the permit is issued next (a retry goes straight there). */
  confirmed?: boolean;
  /** The cancellation was confirmed: it is sent next. */
  cancelConfirmed?: boolean;
  reverify?: boolean;
}

interface StepValues {
  state?: PermitState;
  recovery?: 'retry' | 'another';
  session?: VerifiedSession;
  members?: Member[];
}

const vals = (step: WaterfallStepContext) => step.values as StepValues;
const picked = (step: WaterfallStepContext) => step.result as AskResult | undefined;
const fresh = (): PermitState => ({ started: true });
/** «ألغ», «الغي», «إلغاء», «كنسل», "cancel": the opening asks to cancel a permit, not to issue one. */
const CANCEL_WORDS = /(^| )(الغ|والغ|الغي|الغيه|الغاء|بالغاء|كنسل|cancel|revoke|withdraw)( |$)/;

export function wantsCancel(text: string): boolean {
  return CANCEL_WORDS.test(normalizeForMatching(text));
}

function refusalOf(d: Dependent): Refusal | undefined {
  if (d.age >= AGE_LIMIT) return 'over21';
  return d.maritalStatus === 'single' ? undefined : 'married';
}

function memberOf(d: Dependent, permits: TravelPermit[]): Member {
  const active = permits.find((p) => p.dependentId === d.id && p.status === 'active');
  const refusal = refusalOf(d);
  return { ...viewOf(d), gender: genderOf(d), ...(refusal ? { refusal } : {}), ...(active ? { permit: { number: active.permitNumber, validUntil: active.validUntil } } : {}) };
}

export interface TravelPermitOptions {
  now?: () => Date;
}

export class TravelPermitDialog extends VerifiedTaskDialog<PermitState> {
  constructor(deps: FeatureDeps, options: TravelPermitOptions = {}) {
    // Without the services API the assistant can still say how it is done on Absher.
    super(deps, { id: DIALOG_IDS.travelPermit, steps: STEPS, ask: ASK, ns: NS, intent: 'travel_permit', label: 'travel permit', withoutServices: (t, lang) => faqAnswer(t, lang, 'travel_permit') }, options.now);
    this.setSteps([
      this.verify.bind(this),
      this.chooseMember.bind(this),
      this.decide.bind(this),
      this.act.bind(this),
      this.issue.bind(this),
      this.finish.bind(this),
    ]);
  }

  protected fromRouter(options: Partial<TaskDialogOptions>): PermitState {
    const text = options.text ?? '';
    const entities = options.understanding?.entities ?? (text ? extractEntities(text) : undefined);
    return {
      ...fresh(),
      ...(entities?.relation ? { relation: entities.relation } : {}),
      ...(entities?.months && entities.months <= 12 ? { months: entities.months } : {}),
      ...(text ? { opening: text, cancelWanted: wantsCancel(text) } : {}),
    };
  }

  /** What an agent sees on handoff: masked facts only. */
  protected async record(context: TurnContext, state: PermitState, stage: string): Promise<void> {
    const lang = turnLang(context);
    const details: Record<string, string> = { stage };
    if (state.member) details.dependent = `${state.member.name[lang]} (${state.member.idMasked})`;
    if (state.months) details.months = String(state.months);
    if (state.member?.permit) details.permitNumber = state.member.permit.number;
    await this.setTask(context, details);
  }

  private async recover(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const answer = picked(step)?.value as NextStep | undefined;
    if (answer === 'retry') return step.replaceDialog(STEPS, state);
    if (answer === 'another') return step.replaceDialog(STEPS, fresh());
    return this.toMenu(step);
  }

  /** "Anything else for your family's permits?" after an outcome. */
  private anotherAsk(step: WaterfallStepContext): Promise<DialogTurnResult> {
    vals(step).recovery = 'another';
    return this.prompt(step, { kind: 'buttons', text: `${NS}anotherAsk`, keys: [['another', `${NS}next.another`], ['menu', 'intent.menu']], yes: 'another', no: 'menu', closing: true });
  }

  // 2. The members with their permits; the one named is taken, otherwise asked.
  private async chooseMember(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const session = step.result as VerifiedSession | undefined;
    if (!session) return step.endDialog();
    vals(step).session = session;
    // Past a confirmation nothing is fetched again (an issued permit would now read "active").
    if ((state.confirmed || state.cancelConfirmed) && state.member) return step.next({ value: state.member.id, index: 0, score: 1 });
    const lang = turnLang(step.context);
    let list: Dependent[];
    let permits: TravelPermit[];
    // Both settle before the turn goes on: a failed one never leaves the other running into the next turn.
    const [dependents, held] = await Promise.allSettled([this.deps.services!.listDependents(session.token), this.deps.services!.listTravelPermits(session.token)]);
    if (dependents.status === 'rejected') return this.failed(step, state, dependents.reason);
    if (held.status === 'rejected') return this.failed(step, state, held.reason);
    list = dependents.value;
    permits = held.value;
    const members = list.map((d) => memberOf(d, permits));
    vals(step).members = members;
    if (list.length === 0) {
      await step.context.sendActivity(localized(this.deps.t, lang, { key: `${NS}noDependents`, actions: ['menu.agent', 'intent.menu'] }));
      return step.endDialog();
    }
    const known = state.member && members.find((m) => m.id === state.member!.id);
    if (known) return step.next({ value: known.id, index: 0, score: 1 });
    // "Cancel the permit" without a name: among those who hold one.
    const holders = list.filter((d) => members.find((m) => m.id === d.id)?.permit);
    const pool = state.cancelWanted && holders.length > 0 ? holders : list;
    const { chosen, shown } = preselect(pool, state.relation, state.opening);
    delete state.opening;
    if (chosen) return step.next({ value: chosen.id, index: 0, score: 1 });
    if (state.cancelWanted && shown.length === 1) return step.next({ value: shown[0]!.id, index: 0, score: 1 });
    await this.record(step.context, state, 'choose dependent');
    const shownMembers = shown.map((d) => members.find((m) => m.id === d.id)!);
    return this.prompt(step, {
      kind: 'dependent',
      dependents: shown.map(viewOf),
      idNumbers: shown.map((d) => d.idNumber),
      filtered: shown.length < list.length,
      noHolders: false,
      intro: `${NS}chooseIntro`,
      details: shownMembers.map((m) => ({ ar: this.detail('ar', m), en: this.detail('en', m) })),
    });
  }

  /** A member's permit in the list: active until…, none, or why one cannot be issued. */
  private detail(lang: 'ar' | 'en', m: Member): string {
    if (m.permit) return this.deps.t(lang, `${NS}line.active`, { number: m.permit.number, date: formatBothCalendars(m.permit.validUntil, lang) });
    if (m.refusal) return this.deps.t(lang, `${NS}line.${m.refusal}`, { context: m.gender });
    return this.deps.t(lang, `${NS}line.none`);
  }

  // 3. The member chosen: cancel an active permit (asked), refuse with the reason, or ask the duration.
  private async decide(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (vals(step).recovery) return this.recover(step);
    const state = this.stateOf(step);
    const choice = picked(step);
    const member = state.confirmed || state.cancelConfirmed ? state.member : vals(step).members?.find((m) => m.id === choice?.value);
    if (!member) return step.replaceDialog(STEPS, { ...state, member: undefined, relation: undefined });
    state.member = member;
    if (state.cancelConfirmed) return step.next({ value: 'cancelPermit', index: 0, score: 1 });
    if (state.confirmed) return step.next({ value: `months:${state.months}`, index: 0, score: 1 });
    const lang = turnLang(step.context);
    const name = member.name[lang];
    if (member.permit) {
      await this.record(step.context, state, 'confirm cancellation');
      await step.context.sendActivity(this.t(step.context, 'active', { name, number: member.permit.number, date: formatBothCalendars(member.permit.validUntil, lang) }));
      return this.prompt(step, { kind: 'buttons', text: `${NS}cancelAsk`, keys: [['cancelPermit', `${NS}next.cancelPermit`], ['keepPermit', `${NS}next.keepPermit`]], yes: 'cancelPermit', no: 'keepPermit' });
    }
    if (member.refusal) {
      await this.record(step.context, state, `refused: ${member.refusal}`);
      await step.context.sendActivity(this.t(step.context, `refused.${member.refusal}`, { name, context: member.gender }));
      return this.anotherAsk(step);
    }
    if (state.cancelWanted) await step.context.sendActivity(this.t(step.context, 'nothingToCancel', { name }));
    if (state.months) return step.next({ value: `months:${state.months}`, index: 0, score: 1 });
    await this.record(step.context, state, 'choose duration');
    return this.prompt(step, { kind: 'duration', name: member.name, durations: MONTHS.map((months) => ({ months })), texts: { ask: `${NS}duration`, again: `${NS}durationAgain`, option: 'iqama:months' } });
  }

  /** A correction of the member or the duration: run again from there, keeping the rest. */
  private corrected(step: WaterfallStepContext, state: PermitState): Promise<DialogTurnResult> | undefined {
    const correction = picked(step)?.correction;
    if (!correction) return undefined;
    const back = { ...state, confirmed: false };
    if (correction.field === 'duration') return step.replaceDialog(STEPS, { ...back, months: typeof correction.value === 'number' && correction.value <= 12 ? correction.value : undefined });
    const relation = typeof correction.value === 'string' ? (correction.value as Relation) : undefined;
    return step.replaceDialog(STEPS, { ...back, member: undefined, relation, opening: step.context.activity.text ?? '' });
  }

  // 4. Cancel confirmed → cancel; kept → say so; a duration → the review.
  private async act(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (vals(step).recovery) return this.recover(step);
    const state = this.stateOf(step);
    const correction = this.corrected(step, state);
    if (correction) return correction;
    const answer = picked(step)?.value ?? '';
    const member = state.member!;
    const lang = turnLang(step.context);
    if (answer === 'keepPermit') {
      await step.context.sendActivity(this.t(step.context, 'kept', { name: member.name[lang], date: formatBothCalendars(member.permit!.validUntil, lang) }));
      return this.anotherAsk(step);
    }
    if (answer === 'cancelPermit') return this.cancel(step, state);
    const months = Number(answer.replace('months:', ''));
    if (Number.isInteger(months) && months >= 1 && months <= 12) state.months = months;
    if (state.confirmed) return step.next({ value: 'confirm', index: 0, score: 1 });
    await this.record(step.context, state, 'review');
    return this.prompt(step, {
      kind: 'facts',
      title: `${NS}review.title`,
      facts: [
        ['iqama:review.dependent', { ar: this.deps.t('ar', 'iqama:review.dependentValue', { name: member.name.ar, relation: member.relationshipLabel.ar, id: member.idMasked }), en: this.deps.t('en', 'iqama:review.dependentValue', { name: member.name.en, relation: member.relationshipLabel.en, id: member.idMasked }) }],
        [`${NS}review.duration`, { ar: this.deps.t('ar', 'iqama:months', { count: state.months }), en: this.deps.t('en', 'iqama:months', { count: state.months }) }],
      ],
      ask: `${NS}review.ask`,
      askAgain: `${NS}review.askAgain`,
      keys: [['confirm', 'iqama:next.confirm'], ['changeDependent', 'iqama:next.changeDependent'], ['changeDuration', 'iqama:next.changeDuration']],
      yes: 'confirm',
      fields: [CORRECTABLE.duration, CORRECTABLE.dependent],
    });
  }

  private async cancel(step: WaterfallStepContext, state: PermitState): Promise<DialogTurnResult> {
    state.cancelConfirmed = true;
    const member = state.member!;
    const session = vals(step).session!;
    const lang = turnLang(step.context);
    try {
      const key = contentIdempotencyKey('travel-permit-cancel', { who: whoOf(session), permitNumber: member.permit!.number });
      await this.deps.services!.cancelTravelPermit(session.token, member.permit!.number, key);
    } catch (err) {
      if (isServiceError(err) && err.kind === 'conflict' && err.reason === 'permit_not_active') {
        await step.context.sendActivity(this.t(step.context, 'notActiveAnymore', { name: member.name[lang] }));
        return this.anotherAsk(step);
      }
      return this.failed(step, state, err);
    }
    turnLogger(step.context)?.info('travel permit cancelled');
    (await this.conversation(step.context)).task = undefined;
    await step.context.sendActivity(this.t(step.context, 'cancelled', { name: member.name[lang], number: member.permit!.number }));
    return this.anotherAsk(step);
  }

  // 5. Review answered: change → back; confirm → issue.
  private async issue(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (vals(step).recovery) return this.recover(step);
    const state = this.stateOf(step);
    const correction = this.corrected(step, state);
    if (correction) return correction;
    const answer = picked(step)?.value as NextStep | undefined;
    if (answer === 'changeDependent') return step.replaceDialog(STEPS, { ...fresh(), ...(state.months ? { months: state.months } : {}) });
    if (answer === 'changeDuration') return step.replaceDialog(STEPS, { ...state, months: undefined });
    state.confirmed = true;
    const member = state.member!;
    const session = vals(step).session!;
    const lang = turnLang(step.context);
    const input = { dependentId: member.id, months: state.months! };
    let permit: TravelPermit;
    try {
      // One permit per person, member, duration and day: a retry or a lost answer replays it.
      const key = contentIdempotencyKey('travel-permit', { who: whoOf(session), ...input, day: this.now().toISOString().slice(0, 10) });
      permit = await this.deps.services!.issueTravelPermit(session.token, input, key);
    } catch (err) {
      if (isServiceError(err) && (err.reason === 'travel_permit_over_21' || err.reason === 'travel_permit_married')) {
        await step.context.sendActivity(this.t(step.context, `refused.${err.reason === 'travel_permit_married' ? 'married' : 'over21'}`, { name: member.name[lang], context: member.gender }));
        return this.anotherAsk(step);
      }
      if (isServiceError(err) && err.reason === 'permit_active') {
        await step.context.sendActivity(this.t(step.context, 'alreadyActive', { name: member.name[lang] }));
        return this.anotherAsk(step);
      }
      return this.failed(step, state, err);
    }
    turnLogger(step.context)?.info({ months: state.months }, 'travel permit issued');
    (await this.conversation(step.context)).task = undefined;
    await step.context.sendActivity(this.t(step.context, 'issued', { name: member.name[lang], number: permit.permitNumber, date: formatBothCalendars(permit.validUntil, lang) }));
    return this.anotherAsk(step);
  }

  // 6. The answer to "anything else?" or a retry asked by the last step.
  private async finish(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return this.recover(step);
  }
}

export function createTravelPermitDialogFactory(options: TravelPermitOptions = {}): DialogFactory {
  return (deps) => new TravelPermitDialog(deps, options);
}

export const travelPermitDialogFactory: DialogFactory = createTravelPermitDialogFactory();
