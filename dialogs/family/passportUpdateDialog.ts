/**
 * Renewed passport information update (seed 001: for residents whose passport was renewed):
 * verify → residents only (a citizen is told plainly this service is for residents) → the new
 * passport number (checked for form) → issue date → expiry date (Hijri or Gregorian, the
 * interpreter's date expectation; expiry in the future and after issue) → issuing country →
 * review (changeable, or corrected by naming a field) → submit → the request number with its
 * status explained («قيدت»: recorded, nothing more to do).
 *
 * One loop collects the fields: each turn asks the first one missing, and a correction at any
 * step ("رقم الجواز غلط، الصحيح …") replaces that field and runs the loop again, as the
 * Tawasul form does. Everything lives in PassportState, passed on every replaceDialog, so an
 * expired session re-verifies and resumes, and a retry sends the same content-derived
 * idempotency key (the service replays the first update instead of recording a second).
 */
import type { TurnContext } from 'botbuilder';
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { isServiceError, type Bilingual, type PassportUpdateResult, type Profile } from '../../adapters/services/types';
import { contentIdempotencyKey } from '../../adapters/services/client';
import type { VerifiedSession } from '../deps';
import type { DialogFactory, FeatureDeps } from '../registry';
import { DIALOG_IDS } from '../mainDialog';
import { faqAnswer } from '../faqDialog';
import { formatBothCalendars } from '../format/dates';
import { localized } from '../localizedPrompt';
import { explainStatusCode } from '../status/format';
import { turnLang, turnLogger } from '../turnState';
import { extractEntities } from '../understanding/entities';
import type { CorrectableField, Expectation } from '../interpret/expectation';
import { stepOptions } from '../interpret/openStep';
import { findPassportNumber, readStep } from '../interpret/read';
import { StepPrompt } from '../interpret/stepPrompt';
import { VerifiedTaskDialog } from '../iqama/verifiedTask';
import { whoOf } from '../verifyIdentityDialog';
import type { AskResult, NextStep } from '../iqama/ask';

const STEPS = 'passportUpdateSteps';
const FIELD = 'passportUpdateField';
const ASK = 'passportUpdateAsk';
const NS = 'family:passport.';

type FieldName = 'passportNumber' | 'issueDate' | 'expiryDate' | 'issuingCountry';
const FIELDS: readonly FieldName[] = ['passportNumber', 'issueDate', 'expiryDate', 'issuingCountry'];

/** Fields a correction may name ("تاريخ الانتهاء غلط", "the passport number is A…"). */
const CORRECTABLE: Record<FieldName, CorrectableField> = {
  passportNumber: { name: 'passportNumber', words: ['رقم الجواز', 'رقم جوازي', 'الرقم', 'passport number', 'the number', 'number'], value: 'passport', needsName: true },
  issueDate: { name: 'issueDate', words: ['تاريخ الاصدار', 'الاصدار', 'اصدار', 'اصداره', 'issue date', 'issued', 'issue'], value: 'date', needsName: true },
  expiryDate: { name: 'expiryDate', words: ['تاريخ الانتهاء', 'الانتهاء', 'ينتهي', 'انتهاء', 'expiry date', 'expiry', 'expires', 'expiration'], value: 'date', needsName: true },
  issuingCountry: { name: 'issuingCountry', words: ['الدوله', 'دوله', 'البلد', 'بلد', 'جهه الاصدار', 'country', 'issuing country'], value: 'none', needsName: true },
};
const PASSPORT_FORM = /^(?=.*\d)[A-Z0-9]{6,9}$/;
const COUNTRY_FORM = /^[^\d@#$%^&*=+<>{}[\]|\\/]{2,60}$/u;

export interface PassportState {
  started: true;
  passportNumber?: string;
  issueDate?: string;
  expiryDate?: string;
  issuingCountry?: string;
  /** The person's nationality, offered as the issuing country. */
  nationality?: Bilingual;
  /** The review was confirmed: the update is sent next (a retry goes straight there). */
  confirmed?: boolean;
  reverify?: boolean;
}

interface StepValues {
  state?: PassportState;
  recovery?: 'retry';
  session?: VerifiedSession;
  /** The field the open question asks for, and what it expects (for corrections read again). */
  pending?: FieldName;
  expect?: Expectation;
}

const vals = (step: WaterfallStepContext) => step.values as StepValues;
const fresh = (): PassportState => ({ started: true });

export interface PassportUpdateOptions {
  now?: () => Date;
}

export class PassportUpdateDialog extends VerifiedTaskDialog<PassportState> {
  constructor(deps: FeatureDeps, options: PassportUpdateOptions = {}) {
    super(deps, { id: DIALOG_IDS.passportUpdate, steps: STEPS, ask: ASK, ns: NS, intent: 'passport.update', label: 'passport update', withoutServices: (t, lang) => faqAnswer(t, lang, 'passport_info_update') }, options.now);
    this.addDialog(new StepPrompt(FIELD));
    this.setSteps([this.verify.bind(this), this.collect.bind(this), this.take.bind(this), this.finish.bind(this)]);
  }

  protected fromRouter(): PassportState {
    return fresh();
  }

  private today(): string {
    return this.now().toISOString().slice(0, 10);
  }

  protected async record(context: TurnContext, state: PassportState, stage: string): Promise<void> {
    // The new passport number is not shown to agents in full: its last three characters are enough.
    const details: Record<string, string> = { stage };
    if (state.passportNumber) details.passportNumber = `***${state.passportNumber.slice(-3)}`;
    if (state.expiryDate) details.expiryDate = state.expiryDate;
    await this.setTask(context, details);
  }

  // 2. Residents only; then the first field missing, or the review once all are known.
  private async collect(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const session = step.result as VerifiedSession | undefined;
    if (!session) return step.endDialog();
    vals(step).session = session;
    const lang = turnLang(step.context);
    if (session.kind !== 'resident') return this.residentsOnly(step);
    if (state.confirmed) return step.next({ value: 'confirm', index: 0, score: 1 });
    if (!state.nationality) {
      let profile: Profile;
      try {
        profile = await this.deps.services!.getProfile(session.token);
      } catch (err) {
        return this.failed(step, state, err);
      }
      state.nationality = profile.nationality;
      await step.context.sendActivity(this.t(step.context, 'intro', { name: session.name[lang] }));
    }
    const missing = FIELDS.find((f) => !state[f]);
    const fields = FIELDS.filter((f) => state[f]).map((f) => CORRECTABLE[f]);
    if (missing) {
      await this.record(step.context, state, `ask ${missing}`);
      const expect: Expectation =
        missing === 'passportNumber' ? { kind: 'number', number: 'passport', fields }
        : missing === 'issuingCountry' ? { kind: 'text' }
        : { kind: 'date', fields };
      vals(step).pending = missing;
      vals(step).expect = expect;
      const buttons = missing === 'issuingCountry' && state.nationality ? [state.nationality] : undefined;
      return step.prompt(FIELD, stepOptions({ prompt: localized(this.deps.t, lang, { key: `${NS}ask.${missing}`, ...(buttons ? { buttons } : {}) }), expect }));
    }
    await this.record(step.context, state, 'review');
    const both = (f: (l: 'ar' | 'en') => string): Bilingual => ({ ar: f('ar'), en: f('en') });
    return this.prompt(step, {
      kind: 'facts',
      title: `${NS}review.title`,
      facts: [
        [`${NS}review.passportNumber`, both(() => state.passportNumber!)],
        [`${NS}review.issueDate`, both((l) => formatBothCalendars(state.issueDate!, l))],
        [`${NS}review.expiryDate`, both((l) => formatBothCalendars(state.expiryDate!, l))],
        [`${NS}review.issuingCountry`, both(() => state.issuingCountry!)],
      ],
      ask: `${NS}review.ask`,
      askAgain: `${NS}review.askAgain`,
      keys: [['confirm', 'iqama:next.confirm'], ['changeNumber', `${NS}next.changeNumber`], ['changeDates', `${NS}next.changeDates`], ['changeCountry', `${NS}next.changeCountry`]],
      yes: 'confirm',
      fields: FIELDS.map((f) => CORRECTABLE[f]),
    });
  }

  private async residentsOnly(step: WaterfallStepContext): Promise<DialogTurnResult> {
    (await this.conversation(step.context)).task = undefined;
    await step.context.sendActivity(this.t(step.context, 'residentsOnly'));
    return this.toMenu(step);
  }

  /** A field's value checked against what is already known; a message saying what is wrong otherwise. */
  private check(state: PassportState, field: FieldName, raw: string): { value: string } | { problem: string; args?: Record<string, unknown> } {
    if (field === 'passportNumber') {
      const value = findPassportNumber(raw) ?? raw.replace(/[\s-]/g, '').toUpperCase();
      return PASSPORT_FORM.test(value) ? { value } : { problem: 'invalid.passportNumber' };
    }
    if (field === 'issuingCountry') {
      const value = raw.trim().replace(/\s+/g, ' ');
      return COUNTRY_FORM.test(value) ? { value } : { problem: 'invalid.issuingCountry' };
    }
    const date = extractEntities(raw, this.now()).date?.iso;
    if (!date) return { problem: 'invalid.date' };
    const today = this.today();
    if (field === 'issueDate') return date > today ? { problem: 'invalid.issueFuture' } : { value: date };
    if (date <= today) return { problem: 'invalid.expiryPast' };
    if (state.issueDate && date <= state.issueDate) return { problem: 'invalid.expiryBeforeIssue', args: { issue: state.issueDate } };
    return { value: date };
  }

  /** Stores one field (dropping an expiry date a new issue date makes impossible) and loops. */
  private async store(step: WaterfallStepContext, state: PassportState, field: FieldName, raw: string): Promise<DialogTurnResult> {
    const lang = turnLang(step.context);
    const checked = this.check(state, field, raw);
    if ('problem' in checked) {
      const args = checked.args?.issue ? { issue: formatBothCalendars(String(checked.args.issue), lang) } : undefined;
      await step.context.sendActivity(this.t(step.context, checked.problem, args));
      return step.replaceDialog(STEPS, { ...state, [field]: undefined, confirmed: false });
    }
    const next: PassportState = { ...state, [field]: checked.value, confirmed: false };
    if (field === 'issueDate' && next.expiryDate && next.expiryDate <= checked.value) {
      await step.context.sendActivity(this.t(step.context, 'invalid.expiryBeforeIssue', { issue: formatBothCalendars(checked.value, lang) }));
      next.expiryDate = undefined;
    }
    return step.replaceDialog(STEPS, next);
  }

  // 3. A field's answer (or a correction of an earlier one), or the review's answer.
  private async take(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (vals(step).recovery) return this.recover(step);
    const state = this.stateOf(step);
    const pending = vals(step).pending;
    const text = step.context.activity.text ?? '';
    if (pending) {
      const expect = vals(step).expect;
      const reading = expect ? readStep(text, expect) : undefined;
      if (reading?.type === 'correction') return this.correct(step, state, reading.field as FieldName, reading.value);
      return this.store(step, state, pending, String(step.result ?? ''));
    }
    const answer = step.result as AskResult | undefined;
    if (answer?.correction) return this.correct(step, state, answer.correction.field as FieldName, answer.correction.value);
    const value = answer?.value as NextStep | undefined;
    if (value === 'changeNumber') return step.replaceDialog(STEPS, { ...state, passportNumber: undefined, confirmed: false });
    if (value === 'changeDates') return step.replaceDialog(STEPS, { ...state, issueDate: undefined, expiryDate: undefined, confirmed: false });
    if (value === 'changeCountry') return step.replaceDialog(STEPS, { ...state, issuingCountry: undefined, confirmed: false });
    return this.submit(step, state);
  }

  /** A correction: its value is checked like an answer; a field only named is asked again. */
  private correct(step: WaterfallStepContext, state: PassportState, field: FieldName, value: string | number | undefined): Promise<DialogTurnResult> {
    if (!FIELDS.includes(field)) return step.replaceDialog(STEPS, state);
    if (value === undefined) return step.replaceDialog(STEPS, { ...state, [field]: undefined, confirmed: false });
    return this.store(step, state, field, String(value));
  }

  private async submit(step: WaterfallStepContext, state: PassportState): Promise<DialogTurnResult> {
    state.confirmed = true;
    const session = vals(step).session!;
    const lang = turnLang(step.context);
    const input = { passportNumber: state.passportNumber!, issueDate: state.issueDate!, expiryDate: state.expiryDate!, issuingCountry: state.issuingCountry! };
    let result: PassportUpdateResult;
    try {
      result = await this.deps.services!.updatePassportInfo(session.token, input, contentIdempotencyKey('passport-update', { who: whoOf(session), ...input }));
    } catch (err) {
      if (isServiceError(err) && err.reason === 'same_passport') {
        await step.context.sendActivity(this.t(step.context, 'invalid.samePassport'));
        return step.replaceDialog(STEPS, { ...state, passportNumber: undefined, confirmed: false });
      }
      if (isServiceError(err) && err.reason === 'not_resident') return this.residentsOnly(step);
      if (isServiceError(err) && err.kind === 'validation' && FIELDS.includes(err.field as FieldName)) {
        const field = err.field as FieldName;
        await step.context.sendActivity(this.t(step.context, field === 'passportNumber' || field === 'issuingCountry' ? `invalid.${field}` : 'invalid.date'));
        return step.replaceDialog(STEPS, { ...state, [field]: undefined, confirmed: false });
      }
      return this.failed(step, state, err);
    }
    turnLogger(step.context)?.info('passport information updated');
    (await this.conversation(step.context)).task = undefined;
    const outcome = [
      this.t(step.context, 'done', { number: result.requestNumber, status: result.statusLabel[lang] }),
      explainStatusCode(this.deps.t, lang, result.status),
    ].join('\n');
    await step.context.sendActivity(outcome);
    return this.toMenu(step);
  }

  private async recover(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    if ((step.result as AskResult | undefined)?.value === 'retry') return step.replaceDialog(STEPS, state);
    return this.toMenu(step);
  }

  // 4. The answer to a retry question asked by the review's submission.
  private async finish(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return this.recover(step);
  }
}

export function createPassportUpdateDialogFactory(options: PassportUpdateOptions = {}): DialogFactory {
  return (deps) => new PassportUpdateDialog(deps, options);
}

export const passportUpdateDialogFactory: DialogFactory = createPassportUpdateDialogFactory();
