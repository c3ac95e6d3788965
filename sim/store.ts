/**
 * The simulator's state and rules: identity challenges and sessions, people, eligibility,
 * bills, requests and tickets with their clock-driven lifecycle, and the event feed.
 * Pure in-memory and synchronous; server.ts adds HTTP, auth and idempotency on top.
 */
import { hasValidCheckDigit } from '../dialogs/understanding/idNumber';
import { randomBytes } from 'node:crypto';
import type {
  Attachment,
  AttachmentContentType,
  Bilingual,
  Bill,
  CreateTicketInput,
  Dependent,
  EligibilityFailure,
  EventPage,
  ExitReentryVisa,
  FieldSpec,
  IssueTravelPermitInput,
  PassportUpdateResult,
  Profile,
  RenewalDuration,
  RenewalEligibility,
  RequestKind,
  RequestStatus,
  RequestStatusResult,
  StartVerificationResult,
  StatusEntry,
  StatusEvent,
  SubmittedRequest,
  Ticket,
  TicketSummary,
  TravelPermit,
  UpdatePassportInput,
  VerifyCodeResult,
} from '../adapters/services/types';
import { DESCRIPTION_MAX, DESCRIPTION_MIN, MAX_ATTACHMENTS_PER_TICKET } from '../adapters/services/types';
import { addDays, addMonths, ageOn, riyadhDate, type SimClock } from './clock';
import { DEMO_PEOPLE, birthDate, type DemoPersonSeed } from './demoData';
import { TAWASUL_SECTIONS } from './catalog';
import { KIND_LABELS, RELATIONSHIP_LABELS, STATUS_LABELS } from './labels';
import { SimError, conflict, invalid, notFound } from './errors';
import type { DemoDependentSeed } from './demoData';

export const CHALLENGE_TTL_MS = 5 * 60_000;
export const MAX_WRONG_CODES = 3;
/** More challenges than this for one ID within the window → 429 (default of StoreOptions.challengesPerWindow). */
export const MAX_CHALLENGES_PER_WINDOW = 5;
/** Spent challenges and sessions are forgotten this long after they can no longer be used. */
const FORGET_AFTER_MS = 3600_000;
const SWEEP_EVERY = 256;
export const CHALLENGE_WINDOW_MS = 15 * 60_000;
export const RENEWAL_MONTHS = [3, 6, 9, 12] as const;
export const DEPENDENT_FEE_PER_MONTH = 50;
export const ISSUANCE_FEE = 100;
export const BILL_DUE_DAYS = 3;
export const REVIEW_AFTER_MS = 3600_000;
export const DECISION_AFTER_MS = 24 * 3600_000;
export const BILLER = { code: '009', name: { ar: 'المديرية العامة للجوازات', en: 'General Directorate of Passports' } };

export interface StoreOptions {
  clock: SimClock;
  otpCode: string;
  sessionTtlMs: number;
  /** Unpaid renewal bills count as paid this long after they are issued (demo); null = only via payBill. */
  autoPayBillsAfterMs: number | null;
  /** Codes one ID may request per 15 minutes (default 5); the benchmark raises it. */
  challengesPerWindow?: number;
}

interface PersonState {
  idNumber: string;
  kind: 'citizen' | 'resident';
  name: Bilingual;
  nationality: Bilingual;
  dateOfBirth: string;
  maritalStatus: Profile['maritalStatus'];
  iqamaExpiry: string | null;
  passport: { number: string; issueDate: string | null; expiryDate: string };
  insurance: { expiryDate: string | null; provider: string | null };
  nationalAddressRegistered: boolean;
  medicalExamRequired: boolean;
  unpaidFees: number;
  violations: { count: number; amount: number };
}
interface DependentState extends PersonState {
  id: string;
  relationship: Dependent['relationship'];
  sponsorIdNumber: string;
}
interface SponsorState extends PersonState {
  mobile: string;
  dependents: DependentState[];
}

interface HistoryItem {
  status: RequestStatus;
  at: number;
  reason: Bilingual | null;
}
type PlannedTransition = HistoryItem;
interface RecordState {
  number: string;
  kind: RequestKind;
  ownerIdNumber: string;
  beneficiaryIdNumber: string;
  submittedAt: number;
  history: HistoryItem[];
  pending: PlannedTransition[];
  ticket?: { sectionId: string; transactionTypeId: string; description: string; fields: Record<string, string>; attachments: Attachment[] };
  renewal?: { dependentId: string; months: number; billNumber: string };
}
interface BillState {
  bill: Omit<Bill, 'status'>;
  ownerIdNumber: string;
  createdAt: number;
  paidAt: number | null;
  usedBy: string | null;
}
interface PermitState {
  permitNumber: string;
  ownerIdNumber: string;
  dependentId: string;
  issuedAt: number;
  validUntil: string;
  cancelledAt: number | null;
}
interface VisaState {
  visa: Omit<ExitReentryVisa, 'status'>;
  ownerIdNumber: string;
  used: boolean;
}
interface ChallengeState {
  idNumber: string;
  createdAt: number;
  expiresAt: number;
  wrong: number;
  used: boolean;
}
interface StoredAttachment extends Attachment {
  ownerIdNumber: string;
  ticketNumber: string | null;
}

/** Records created since the last reset, by kind (tests count these). */
export interface SimCounters {
  challenges: number;
  sessions: number;
  bills: number;
  renewalRequests: number;
  tickets: number;
  attachments: number;
  travelPermits: number;
  permitCancellations: number;
  passportUpdates: number;
}

const zeroCounters = (): SimCounters => ({
  challenges: 0,
  sessions: 0,
  bills: 0,
  renewalRequests: 0,
  tickets: 0,
  attachments: 0,
  travelPermits: 0,
  permitCancellations: 0,
  passportUpdates: 0,
});

const iso = (ms: number) => new Date(ms).toISOString();

/** A 10-digit ID number starting 1 or 2 with a valid check digit (the shared rule). */
export function isValidIdNumber(id: string): boolean {
  return /^[12]\d{9}$/.test(id) && hasValidCheckDigit(id);
}

export function maskMobile(mobile: string): string {
  return `${mobile.slice(0, 2)}${'*'.repeat(Math.max(0, mobile.length - 4))}${mobile.slice(-2)}`;
}

export class SimStore {
  counters: SimCounters = zeroCounters();
  private people = new Map<string, SponsorState>();
  private records = new Map<string, RecordState>();
  private bills = new Map<string, BillState>();
  private permits = new Map<string, PermitState>();
  private visas = new Map<string, VisaState>();
  private challenges = new Map<string, ChallengeState>();
  private sessions = new Map<string, { idNumber: string; expiresAt: number }>();
  /** When each ID asked for its recent codes, for the per-window limit. */
  private challengeTimes = new Map<string, number[]>();
  private inserts = 0;
  private attachments = new Map<string, StoredAttachment>();
  private events: StatusEvent[] = [];
  private requestSeq = 400000100;
  private ticketSeq = 700000100;
  private billSeq = 3000000100;
  private attachmentSeq = 0;

  constructor(private readonly options: StoreOptions) {
    this.reset();
  }

  get clock(): SimClock {
    return this.options.clock;
  }
  private now(): number {
    return this.options.clock.now();
  }
  today(): string {
    return riyadhDate(this.now());
  }

  // -------------------------------------------------------------------------------------------
  // Demo data

  reset(): void {
    this.counters = zeroCounters();
    this.people.clear();
    this.records.clear();
    this.bills.clear();
    this.permits.clear();
    this.visas.clear();
    this.challenges.clear();
    this.sessions.clear();
    this.challengeTimes.clear();
    this.attachments.clear();
    this.events = [];
    this.requestSeq = 400000100;
    this.ticketSeq = 700000100;
    this.billSeq = 3000000100;
    this.attachmentSeq = 0;
    const today = this.today();
    for (const seed of DEMO_PEOPLE) {
      const sponsor: SponsorState = { ...this.personFromSeed(seed, today), mobile: seed.mobile, dependents: [] };
      sponsor.dependents = seed.dependents.map((d: DemoDependentSeed) => ({
        ...this.personFromSeed(d, today),
        id: d.id,
        relationship: d.relationship,
        sponsorIdNumber: seed.idNumber,
      }));
      this.people.set(seed.idNumber, sponsor);
    }
    this.seedRecords();
  }

  private personFromSeed(seed: DemoPersonSeed, today: string): PersonState {
    const passportExpiry = addDays(today, seed.passportExpiresInDays);
    return {
      idNumber: seed.idNumber,
      kind: seed.kind,
      name: seed.name,
      nationality: seed.nationality,
      dateOfBirth: birthDate(today, seed.ageYears),
      maritalStatus: seed.maritalStatus,
      iqamaExpiry: seed.iqamaExpiresInDays === null ? null : addDays(today, seed.iqamaExpiresInDays),
      passport: { number: seed.passportNumber, issueDate: addDays(passportExpiry, -5 * 365), expiryDate: passportExpiry },
      insurance:
        seed.insurance.status === 'missing'
          ? { expiryDate: null, provider: null }
          : { expiryDate: addDays(today, seed.insurance.expiresInDays ?? 240), provider: 'Tawuniya' },
      nationalAddressRegistered: seed.nationalAddress,
      medicalExamRequired: seed.medicalExamRequired,
      unpaidFees: seed.unpaidFees,
      violations: { ...seed.violations },
    };
  }

  /** Existing requests and tickets so status lookups work on a fresh start. Numbers are fixed. */
  private seedRecords(): void {
    const t = this.now();
    const h = 3600_000;
    const d = 24 * h;
    // 400000101: Ahmed's own passport update, recorded (قيدت) ten days ago.
    this.addRecord({ kind: 'passport_update', owner: '2345678904', beneficiary: '2345678904', at: t - 10 * d, initial: 'recorded' });
    // 400000102: Imran's renewal, under review; approved 21 h from now.
    this.addRecord({
      kind: 'iqama_renewal', owner: '2100398474', beneficiary: '2476620550', at: t - 3 * h,
      renewal: { dependentId: 'D2003', months: 12, billNumber: '3000000099' },
      plan: [
        { status: 'under_review', at: t - 2 * h, reason: null },
        { status: 'approved', at: t + 21 * h, reason: this.renewalApprovedReason(12) },
      ],
    });
    // 400000103: Reem's active travel permit (citizen).
    this.issuePermitRecord('1104837263', 'D3001', t - 30 * d, addDays(this.today(), 335));
    // 400000104 / 400000105: exit/re-entry visas.
    this.addVisa('2345678904', '2345678904', 'multiple', -20, 40, 90, false);
    this.addVisa('2345678904', '2519043364', 'single', -120, -60, 60, false);
    // 700000101: Ahmed's name correction ticket, under review; needs information 22 h from now.
    this.addTicketRecord('2345678904', t - 2 * h, {
      sectionId: 'data_correction', transactionTypeId: 'birth_date_correction',
      description: 'تاريخ ميلاد ابنتي ليلى مسجل بشكل خاطئ في النظام.',
      fields: { beneficiaryIdNumber: '2234055172', correctDateOfBirth: birthDate(this.today(), 11) },
      attachments: [],
    });
    // 700000102: Mohammed's general question, resolved last week.
    this.addTicketRecord('2100398474', t - 8 * d, {
      sectionId: 'general_inquiries', transactionTypeId: 'general_question',
      description: 'What documents do I need to renew my wife’s iqama?',
      fields: { topic: 'iqama' }, attachments: [],
    });
    // 700000103: Mohammed's extension request for an iqama not under his sponsorship, rejected.
    this.addTicketRecord('2100398474', t - 5 * d, {
      sectionId: 'iqama_extension', transactionTypeId: 'iqama_extension_request',
      description: 'أرجو تمديد إقامة قريبي لمدة ثلاثة أشهر.',
      fields: { iqamaNumber: '2422260550', months: '3' }, attachments: [],
    });
    // 700000104: Abdullah's other transaction, resolved.
    this.addTicketRecord('1104837263', t - 12 * d, {
      sectionId: 'other', transactionTypeId: 'other_transaction',
      description: 'استفسار عن سجل السفر لابني فيصل.', fields: { subject: 'سجل السفر' }, attachments: [],
    });
    this.tick();
    // Seeded history is not news: the feed starts empty on a fresh start.
    this.events = [];
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  private addRecord(input: {
    kind: RequestKind;
    owner: string;
    beneficiary: string;
    at: number;
    initial?: RequestStatus;
    plan?: HistoryItem[];
    renewal?: RecordState['renewal'];
    ticket?: RecordState['ticket'];
    number?: string;
  }): RecordState {
    const number = input.number ?? String(++this.requestSeq);
    const record: RecordState = {
      number,
      kind: input.kind,
      ownerIdNumber: input.owner,
      beneficiaryIdNumber: input.beneficiary,
      submittedAt: input.at,
      history: [{ status: input.initial ?? 'submitted', at: input.at, reason: null }],
      pending: (input.plan ?? []).map((p) => ({ ...p })),
      renewal: input.renewal,
      ticket: input.ticket,
    };
    this.records.set(number, record);
    return record;
  }

  /** Applies every transition that is due, in time order, appending each to the event feed. */
  tick(): void {
    const now = this.now();
    const due: { record: RecordState; tr: PlannedTransition }[] = [];
    for (const record of this.records.values()) {
      for (const tr of record.pending) if (tr.at <= now) due.push({ record, tr });
    }
    due.sort((a, b) => a.tr.at - b.tr.at || a.record.number.localeCompare(b.record.number));
    for (const { record, tr } of due) {
      record.pending = record.pending.filter((p) => p !== tr);
      record.history.push({ status: tr.status, at: tr.at, reason: tr.reason });
      if (tr.status === 'approved' && record.kind === 'iqama_renewal' && record.renewal) this.applyRenewal(record.renewal);
      this.events.push({
        seq: this.events.length + 1,
        kind: record.kind === 'tawasul' ? 'ticket' : 'request',
        requestKind: record.kind,
        number: record.number,
        ownerIdNumber: record.ownerIdNumber,
        status: tr.status,
        statusLabel: STATUS_LABELS[tr.status],
        reason: tr.reason,
        at: iso(tr.at),
      });
    }
  }

  listEvents(since: string | undefined, limit: number): EventPage {
    this.tick();
    const from = since === undefined || since === '' ? 0 : Number(since);
    if (!Number.isInteger(from) || from < 0) throw invalid('since', 'cursor is not one this feed gave out');
    const events = this.events.filter((e) => e.seq > from).slice(0, limit);
    const last = events.length ? events[events.length - 1]!.seq : Math.min(from, this.events.length);
    return { events, cursor: String(last) };
  }

  // -------------------------------------------------------------------------------------------
  // Identity

  startVerification(idNumber: string): StartVerificationResult & { otp: string } {
    if (!isValidIdNumber(idNumber)) throw invalid('idNumber', 'not a valid ID number', 'invalid_id_number');
    const person = this.people.get(idNumber);
    if (!person) throw new SimError(404, 'not_registered', 'no Absher account for this ID number');
    const now = this.now();
    const recent = (this.challengeTimes.get(idNumber) ?? []).filter((at) => now - at < CHALLENGE_WINDOW_MS);
    if (recent.length >= (this.options.challengesPerWindow ?? MAX_CHALLENGES_PER_WINDOW)) {
      this.challengeTimes.set(idNumber, recent);
      const oldest = Math.min(...recent);
      throw new SimError(429, 'too_many_challenges', 'too many codes requested', {
        retryAfterSeconds: Math.ceil((oldest + CHALLENGE_WINDOW_MS - now) / 1000),
      });
    }
    const challengeId = `ch_${randomBytes(12).toString('hex')}`;
    this.challenges.set(challengeId, { idNumber, createdAt: now, expiresAt: now + CHALLENGE_TTL_MS, wrong: 0, used: false });
    recent.push(now);
    this.challengeTimes.set(idNumber, recent);
    this.sweepSometimes(now);
    this.counters.challenges++;
    return {
      challengeId,
      maskedMobile: maskMobile(person.mobile),
      expiresAt: iso(now + CHALLENGE_TTL_MS),
      attemptsLeft: MAX_WRONG_CODES,
      otp: this.options.otpCode,
    };
  }

  verifyCode(challengeId: string, code: string): VerifyCodeResult {
    const ch = this.challenges.get(challengeId);
    if (!ch) throw notFound('challenge');
    const now = this.now();
    if (ch.wrong >= MAX_WRONG_CODES) throw new SimError(409, 'challenge_locked', 'too many wrong codes', { attemptsLeft: 0 });
    if (ch.used) throw conflict('challenge_used', 'this code was already used');
    if (now > ch.expiresAt) throw conflict('challenge_expired', 'the code has expired');
    if (code !== this.options.otpCode) {
      ch.wrong++;
      const attemptsLeft = MAX_WRONG_CODES - ch.wrong;
      if (attemptsLeft === 0) throw new SimError(409, 'challenge_locked', 'too many wrong codes', { attemptsLeft: 0 });
      throw new SimError(422, 'code_incorrect', 'the code is not correct', { field: 'code', attemptsLeft });
    }
    ch.used = true;
    const person = this.people.get(ch.idNumber)!;
    const accessToken = `at_${randomBytes(24).toString('base64url')}`;
    const expiresAt = now + this.options.sessionTtlMs;
    this.sessions.set(accessToken, { idNumber: ch.idNumber, expiresAt });
    this.counters.sessions++;
    this.sweepSometimes(now);
    return { accessToken, expiresAt: iso(expiresAt), person: { idNumber: person.idNumber, kind: person.kind, name: person.name } };
  }

  /** The person behind a bearer token, or 401. */
  authenticate(token: string | undefined): string {
    if (!token) throw new SimError(401, 'invalid_token', 'sign-in required');
    const s = this.sessions.get(token);
    if (!s) throw new SimError(401, 'invalid_token', 'unknown access token');
    if (this.now() >= s.expiresAt) throw new SimError(401, 'session_expired', 'the session has expired');
    return s.idNumber;
  }

  /**
   * Challenges and sessions would otherwise pile up for as long as the simulator runs. Those
   * long past use are dropped; recently expired ones stay so their errors stay precise.
   */
  private sweepSometimes(now: number): void {
    if (++this.inserts % SWEEP_EVERY !== 0) return;
    for (const [id, ch] of this.challenges) if (now - ch.expiresAt > FORGET_AFTER_MS) this.challenges.delete(id);
    for (const [token, session] of this.sessions) if (now - session.expiresAt > FORGET_AFTER_MS) this.sessions.delete(token);
    for (const [idNumber, times] of this.challengeTimes) {
      const recent = times.filter((at) => now - at < CHALLENGE_WINDOW_MS);
      if (recent.length) this.challengeTimes.set(idNumber, recent);
      else this.challengeTimes.delete(idNumber);
    }
  }

  expireSessions(): number {
    const n = this.sessions.size;
    for (const s of this.sessions.values()) s.expiresAt = this.now();
    return n;
  }

  // -------------------------------------------------------------------------------------------
  // People

  private sponsor(idNumber: string): SponsorState {
    const p = this.people.get(idNumber);
    if (!p) throw notFound('person');
    return p;
  }

  private dependent(owner: string, dependentId: string, field = 'dependentId'): DependentState {
    const d = this.sponsor(owner).dependents.find((x) => x.id === dependentId);
    if (!d) throw new SimError(404, 'not_found', 'no such dependent', { field });
    return d;
  }

  private personView(p: PersonState) {
    const today = this.today();
    const ins = p.insurance;
    return {
      idNumber: p.idNumber,
      kind: p.kind,
      name: p.name,
      nationality: p.nationality,
      dateOfBirth: p.dateOfBirth,
      maritalStatus: p.maritalStatus,
      iqama: p.iqamaExpiry === null ? null : { expiryDate: p.iqamaExpiry, status: p.iqamaExpiry < today ? ('expired' as const) : ('valid' as const) },
      passport: { ...p.passport, status: p.passport.expiryDate < today ? ('expired' as const) : ('valid' as const) },
      healthInsurance: {
        status: ins.expiryDate === null ? ('missing' as const) : ins.expiryDate < today ? ('expired' as const) : ('valid' as const),
        expiryDate: ins.expiryDate,
        provider: ins.provider,
      },
      nationalAddressRegistered: p.nationalAddressRegistered,
      medicalExamRequired: p.medicalExamRequired,
      unpaidFees: p.unpaidFees,
      violations: { ...p.violations },
    };
  }

  getProfile(owner: string): Profile {
    const p = this.sponsor(owner);
    return { ...this.personView(p), maskedMobile: maskMobile(p.mobile), dependentsCount: p.dependents.length };
  }

  listDependents(owner: string): Dependent[] {
    const today = this.today();
    return this.sponsor(owner).dependents.map((d) => ({
      id: d.id,
      ...this.personView(d),
      relationship: d.relationship,
      relationshipLabel: RELATIONSHIP_LABELS[d.relationship],
      age: ageOn(d.dateOfBirth, today),
    }));
  }

  // -------------------------------------------------------------------------------------------
  // Iqama renewal (seed 004)

  durations(): RenewalDuration[] {
    return RENEWAL_MONTHS.map((months) => {
      const dependentFee = DEPENDENT_FEE_PER_MONTH * months;
      return { months, fee: dependentFee + ISSUANCE_FEE, breakdown: { dependentFee, issuanceFee: ISSUANCE_FEE } };
    });
  }

  private failures(d: DependentState): EligibilityFailure[] {
    if (d.kind === 'citizen' || d.iqamaExpiry === null) return [{ code: 'not_iqama_holder' }];
    const v = this.personView(d);
    const out: EligibilityFailure[] = [];
    if (d.unpaidFees > 0) out.push({ code: 'unpaid_fees', amount: d.unpaidFees });
    if (d.violations.count > 0) out.push({ code: 'unpaid_violations', amount: d.violations.amount, count: d.violations.count });
    if (v.passport.status === 'expired') out.push({ code: 'passport_expired', expiryDate: d.passport.expiryDate });
    if (!d.nationalAddressRegistered) out.push({ code: 'no_national_address' });
    if (v.healthInsurance.status === 'missing') out.push({ code: 'health_insurance_missing' });
    if (v.healthInsurance.status === 'expired') out.push({ code: 'health_insurance_expired', expiryDate: d.insurance.expiryDate! });
    if (d.medicalExamRequired) out.push({ code: 'medical_exam_required' });
    const open = [...this.records.values()].find(
      (r) => r.kind === 'iqama_renewal' && r.renewal?.dependentId === d.id && !isFinal(currentStatus(r)),
    );
    if (open) out.push({ code: 'renewal_in_progress', requestNumber: open.number });
    return out;
  }

  getRenewalEligibility(owner: string, dependentId: string): RenewalEligibility {
    this.tick();
    const d = this.dependent(owner, dependentId);
    const failures = this.failures(d);
    return {
      dependentId,
      eligible: failures.length === 0,
      failures,
      durations: failures.length === 0 ? this.durations() : [],
      iqamaExpiry: d.iqamaExpiry,
    };
  }

  private billView(b: BillState): Bill {
    const paid = b.paidAt !== null || (this.options.autoPayBillsAfterMs !== null && this.now() >= b.createdAt + this.options.autoPayBillsAfterMs);
    if (paid && b.paidAt === null) b.paidAt = b.createdAt + (this.options.autoPayBillsAfterMs ?? 0);
    const status = paid ? 'paid' : b.bill.dueDate < this.today() ? 'expired' : 'unpaid';
    return { ...b.bill, status };
  }

  createRenewalBill(owner: string, input: { dependentId: string; months: number }): Bill {
    this.tick();
    const d = this.dependent(owner, input.dependentId);
    const failures = this.failures(d);
    if (failures.length) throw invalid('dependentId', `not eligible: ${failures.map((f) => f.code).join(', ')}`, 'not_eligible');
    const duration = this.durations().find((x) => x.months === input.months);
    if (!duration) throw invalid('months', `months must be one of ${RENEWAL_MONTHS.join(', ')}`);
    const billNumber = String(++this.billSeq);
    const state: BillState = {
      bill: {
        billNumber,
        sadadNumber: `9${billNumber}`,
        billerCode: BILLER.code,
        billerName: BILLER.name,
        amount: duration.fee,
        dueDate: addDays(this.today(), BILL_DUE_DAYS),
        dependentId: d.id,
        months: input.months,
        description: {
          ar: `تجديد هوية مقيم لمدة ${input.months} أشهر — ${d.name.ar}`,
          en: `Iqama renewal for ${input.months} months — ${d.name.en}`,
        },
      },
      ownerIdNumber: owner,
      createdAt: this.now(),
      paidAt: null,
      usedBy: null,
    };
    this.bills.set(billNumber, state);
    this.counters.bills++;
    return this.billView(state);
  }

  private ownBill(owner: string, billNumber: string): BillState {
    const b = this.bills.get(billNumber);
    if (!b || b.ownerIdNumber !== owner) throw notFound('bill');
    return b;
  }

  getBill(owner: string, billNumber: string): Bill {
    return this.billView(this.ownBill(owner, billNumber));
  }

  /** Admin: marks a bill paid (what the bank does in real life). */
  payBill(billNumber: string): Bill {
    const b = this.bills.get(billNumber);
    if (!b) throw notFound('bill');
    if (b.paidAt === null) b.paidAt = this.now();
    return this.billView(b);
  }

  private renewalApprovedReason(months: number): Bilingual {
    return {
      ar: `تم تجديد الإقامة لمدة ${months} شهرًا، ويمكن طباعة الإقامة من أبشر.`,
      en: `The iqama was renewed for ${months} months; it can be printed from Absher.`,
    };
  }

  submitRenewal(owner: string, billNumber: string): SubmittedRequest {
    this.tick();
    const b = this.ownBill(owner, billNumber);
    const bill = this.billView(b);
    if (b.usedBy) throw conflict('bill_used', `bill already used by request ${b.usedBy}`, 'billNumber');
    if (bill.status !== 'paid') throw conflict('bill_unpaid', 'the bill has not been paid yet', 'billNumber');
    const d = this.dependent(owner, bill.dependentId);
    const failures = this.failures(d);
    if (failures.length) throw invalid('billNumber', `not eligible: ${failures.map((f) => f.code).join(', ')}`, 'not_eligible');
    const now = this.now();
    const record = this.addRecord({
      kind: 'iqama_renewal', owner, beneficiary: d.idNumber, at: now,
      renewal: { dependentId: d.id, months: bill.months, billNumber },
      plan: [
        { status: 'under_review', at: now + REVIEW_AFTER_MS, reason: null },
        { status: 'approved', at: now + DECISION_AFTER_MS, reason: this.renewalApprovedReason(bill.months) },
      ],
    });
    b.usedBy = record.number;
    this.counters.renewalRequests++;
    return this.submitted(record);
  }

  /** An approved renewal extends the iqama from its expiry (or from today when already expired). */
  private applyRenewal(renewal: NonNullable<RecordState['renewal']>): void {
    const sponsor = [...this.people.values()].find((p) => p.dependents.some((d) => d.id === renewal.dependentId));
    const d = sponsor?.dependents.find((x) => x.id === renewal.dependentId);
    if (!d) return;
    const base = d.iqamaExpiry && d.iqamaExpiry > this.today() ? d.iqamaExpiry : this.today();
    d.iqamaExpiry = addMonths(base, renewal.months);
  }

  private submitted(r: RecordState): SubmittedRequest {
    const status = currentStatus(r);
    return { requestNumber: r.number, kind: r.kind, status, statusLabel: STATUS_LABELS[status], submittedAt: iso(r.submittedAt) };
  }

  // -------------------------------------------------------------------------------------------
  // Status lookup

  private beneficiaryOf(r: RecordState) {
    const sponsor = this.people.get(r.ownerIdNumber)!;
    const p = sponsor.idNumber === r.beneficiaryIdNumber ? sponsor : sponsor.dependents.find((d) => d.idNumber === r.beneficiaryIdNumber);
    return { name: p?.name ?? sponsor.name, idNumber: r.beneficiaryIdNumber };
  }

  private statusView(r: RecordState): RequestStatusResult {
    const last = r.history[r.history.length - 1]!;
    return {
      number: r.number,
      kind: r.kind,
      kindLabel: KIND_LABELS[r.kind],
      status: last.status,
      statusLabel: STATUS_LABELS[last.status],
      reason: last.reason,
      beneficiary: this.beneficiaryOf(r),
      submittedAt: iso(r.submittedAt),
      updatedAt: iso(last.at),
      history: r.history.map(entry),
    };
  }

  getRequestStatus(owner: string, number: string): RequestStatusResult {
    this.tick();
    const r = this.records.get(number);
    // Someone else's number is "not found": no hint that it exists.
    if (!r || r.ownerIdNumber !== owner) throw notFound('request');
    return this.statusView(r);
  }

  listMyRequests(owner: string): RequestStatusResult[] {
    this.tick();
    return [...this.records.values()]
      .filter((r) => r.ownerIdNumber === owner)
      .sort((a, b) => b.submittedAt - a.submittedAt || b.number.localeCompare(a.number))
      .map((r) => this.statusView(r));
  }

  // -------------------------------------------------------------------------------------------
  // Exit/re-entry visas

  private addVisa(owner: string, holder: string, type: 'single' | 'multiple', issuedDays: number, exitDays: number, durationDays: number, used: boolean) {
    const today = this.today();
    const sponsor = this.sponsor(owner);
    const person = sponsor.idNumber === holder ? sponsor : sponsor.dependents.find((d) => d.idNumber === holder)!;
    const issued = this.now() + issuedDays * 24 * 3600_000;
    const record = this.addRecord({ kind: 'exit_reentry_visa', owner, beneficiary: holder, at: issued, initial: 'approved' });
    this.visas.set(record.number, {
      visa: {
        visaNumber: record.number,
        holder: { name: person.name, idNumber: holder },
        type,
        issueDate: addDays(today, issuedDays),
        exitBefore: addDays(today, exitDays),
        durationDays,
      },
      ownerIdNumber: owner,
      used,
    });
  }

  listExitReentryVisas(owner: string): ExitReentryVisa[] {
    const today = this.today();
    return [...this.visas.values()]
      .filter((v) => v.ownerIdNumber === owner)
      .map((v) => ({ ...v.visa, status: v.used ? 'used' : v.visa.exitBefore < today ? 'expired' : 'valid' }));
  }

  // -------------------------------------------------------------------------------------------
  // Travel permits (seed 001): family members under 21 and unmarried

  private issuePermitRecord(owner: string, dependentId: string, at: number, validUntil: string): PermitState {
    const d = this.dependent(owner, dependentId);
    const record = this.addRecord({ kind: 'travel_permit', owner, beneficiary: d.idNumber, at, initial: 'approved' });
    const permit: PermitState = { permitNumber: record.number, ownerIdNumber: owner, dependentId, issuedAt: at, validUntil, cancelledAt: null };
    this.permits.set(record.number, permit);
    return permit;
  }

  private permitView(p: PermitState): TravelPermit {
    const d = this.dependent(p.ownerIdNumber, p.dependentId);
    const status = p.cancelledAt !== null ? 'cancelled' : p.validUntil < this.today() ? 'expired' : 'active';
    return {
      permitNumber: p.permitNumber,
      dependentId: p.dependentId,
      dependentName: d.name,
      status,
      issuedAt: iso(p.issuedAt),
      validUntil: p.validUntil,
      cancelledAt: p.cancelledAt === null ? null : iso(p.cancelledAt),
    };
  }

  listTravelPermits(owner: string): TravelPermit[] {
    return [...this.permits.values()].filter((p) => p.ownerIdNumber === owner).map((p) => this.permitView(p));
  }

  issueTravelPermit(owner: string, input: IssueTravelPermitInput): TravelPermit {
    const d = this.dependent(owner, input.dependentId);
    const today = this.today();
    const months = input.months ?? 12;
    if (!Number.isInteger(months) || months < 1 || months > 12) throw invalid('months', 'months must be 1 to 12');
    if (ageOn(d.dateOfBirth, today) >= 21) throw invalid('dependentId', 'travel permits are for family members under 21', 'travel_permit_over_21');
    if (d.maritalStatus !== 'single') throw invalid('dependentId', 'travel permits are for unmarried family members', 'travel_permit_married');
    const active = this.listTravelPermits(owner).find((p) => p.dependentId === d.id && p.status === 'active');
    if (active) throw conflict('permit_active', `permit ${active.permitNumber} is already active`, 'dependentId');
    const [y, m, dd] = d.dateOfBirth.split('-');
    const dayBefore21 = addDays(`${Number(y) + 21}-${m}-${dd}`, -1);
    const until = addMonths(today, months);
    const permit = this.issuePermitRecord(owner, d.id, this.now(), until < dayBefore21 ? until : dayBefore21);
    this.counters.travelPermits++;
    return this.permitView(permit);
  }

  cancelTravelPermit(owner: string, permitNumber: string): TravelPermit {
    const p = this.permits.get(permitNumber);
    if (!p || p.ownerIdNumber !== owner) throw notFound('travel permit');
    if (this.permitView(p).status !== 'active') throw conflict('permit_not_active', 'the permit is not active', 'permitNumber');
    p.cancelledAt = this.now();
    this.records.get(permitNumber)!.history.push({ status: 'cancelled', at: p.cancelledAt, reason: null });
    this.counters.permitCancellations++;
    return this.permitView(p);
  }

  // -------------------------------------------------------------------------------------------
  // Renewed passport details (seed 001): residents only; takes effect at once ("recorded")

  updatePassportInfo(owner: string, input: UpdatePassportInput): PassportUpdateResult {
    const sponsor = this.sponsor(owner);
    const person: PersonState = input.dependentId ? this.dependent(owner, input.dependentId) : sponsor;
    if (person.kind !== 'resident') throw conflict('not_resident', 'this service is for residents', input.dependentId ? 'dependentId' : undefined);
    const number = input.passportNumber.trim().toUpperCase();
    if (!/^[A-Z0-9]{6,9}$/.test(number)) throw invalid('passportNumber', '6 to 9 letters or digits');
    const today = this.today();
    if (!isIsoDate(input.issueDate) || input.issueDate > today) throw invalid('issueDate', 'a past date, yyyy-mm-dd');
    if (!isIsoDate(input.expiryDate) || input.expiryDate <= today) throw invalid('expiryDate', 'a future date, yyyy-mm-dd');
    if (input.expiryDate <= input.issueDate) throw invalid('expiryDate', 'must be after the issue date');
    if (input.issuingCountry !== undefined && !/^\S.{0,59}$/u.test(input.issuingCountry.trim())) throw invalid('issuingCountry', '1 to 60 characters');
    if (number === person.passport.number) throw conflict('same_passport', 'this passport is already recorded', 'passportNumber');
    person.passport = { number, issueDate: input.issueDate, expiryDate: input.expiryDate };
    const record = this.addRecord({ kind: 'passport_update', owner, beneficiary: person.idNumber, at: this.now(), initial: 'recorded' });
    this.counters.passportUpdates++;
    return { requestNumber: record.number, status: 'recorded', statusLabel: STATUS_LABELS.recorded, passport: this.personView(person).passport };
  }

  // -------------------------------------------------------------------------------------------
  // Tawasul (seed 003)

  uploadAttachment(owner: string, fileName: string, contentType: AttachmentContentType, size: number): Attachment {
    const attachment: StoredAttachment = {
      attachmentId: `att_${String(++this.attachmentSeq).padStart(6, '0')}`,
      fileName,
      contentType,
      size,
      ownerIdNumber: owner,
      ticketNumber: null,
    };
    this.attachments.set(attachment.attachmentId, attachment);
    this.counters.attachments++;
    return publicAttachment(attachment);
  }

  private familyIds(owner: string): Set<string> {
    const s = this.sponsor(owner);
    return new Set([s.idNumber, ...s.dependents.map((d) => d.idNumber)]);
  }

  private validateTicket(owner: string, input: CreateTicketInput) {
    const section = TAWASUL_SECTIONS.find((s) => s.id === input.sectionId);
    if (!section) throw invalid('sectionId', 'unknown section');
    const type = section.transactionTypes.find((t) => t.id === input.transactionTypeId);
    if (!type) throw invalid('transactionTypeId', 'unknown transaction type for this section');
    for (const name of Object.keys(input.fields)) {
      if (!type.fields.some((f) => f.name === name)) throw invalid(name, 'this type has no such field', 'unknown_field');
    }
    const fields: Record<string, string> = {};
    for (const spec of type.fields) {
      const raw = input.fields[spec.name]?.trim() ?? '';
      if (raw === '') {
        if (spec.required) throw invalid(spec.name, 'required', 'required');
        continue;
      }
      fields[spec.name] = checkField(spec, raw);
      if (spec.name === 'beneficiaryIdNumber' && !this.familyIds(owner).has(fields[spec.name]!)) {
        throw invalid(spec.name, 'must be you or one of your dependents', 'not_in_family');
      }
    }
    const description = input.description.trim();
    if (description.length < DESCRIPTION_MIN || description.length > DESCRIPTION_MAX) {
      throw invalid('description', `${DESCRIPTION_MIN} to ${DESCRIPTION_MAX} characters`);
    }
    if (input.attachmentIds.length > MAX_ATTACHMENTS_PER_TICKET) {
      throw invalid('attachmentIds', `at most ${MAX_ATTACHMENTS_PER_TICKET} attachments`, 'too_many_attachments');
    }
    if (new Set(input.attachmentIds).size !== input.attachmentIds.length) throw invalid('attachmentIds', 'an attachment is listed twice');
    const attachments = input.attachmentIds.map((id) => {
      const a = this.attachments.get(id);
      if (!a || a.ownerIdNumber !== owner) throw invalid('attachmentIds', `unknown attachment ${id}`, 'attachment_unknown');
      if (a.ticketNumber) throw invalid('attachmentIds', `attachment ${id} belongs to ticket ${a.ticketNumber}`, 'attachment_used');
      return a;
    });
    if (type.attachments.required && attachments.length === 0) {
      throw invalid('attachmentIds', 'this type needs at least one attachment', 'attachment_required');
    }
    return { section, type, fields, description, attachments };
  }

  /** Deterministic decision 24 h after submission, from the ticket's content. */
  private ticketDecision(owner: string, ticket: NonNullable<RecordState['ticket']>): HistoryItem & { status: RequestStatus } {
    const at = 0;
    switch (ticket.transactionTypeId) {
      case 'general_question':
        return { status: 'resolved', at, reason: { ar: 'تمت الإجابة عن استفسارك، ويمكنك الاطلاع على الرد في أبشر.', en: 'Your question was answered; the reply is in Absher.' } };
      case 'birth_date_correction':
        if (ticket.attachments.length === 0) {
          return { status: 'needs_info', at, reason: { ar: 'يرجى إرفاق صورة الجواز أو شهادة الميلاد لإثبات التاريخ الصحيح.', en: 'Please attach the passport or birth certificate showing the correct date.' } };
        }
        return { status: 'approved', at, reason: { ar: 'تم تصحيح تاريخ الميلاد.', en: 'The date of birth was corrected.' } };
      case 'name_correction':
        return { status: 'approved', at, reason: { ar: 'تم تصحيح الاسم بالإنجليزية.', en: 'The English name was corrected.' } };
      case 'iqama_extension_request':
        if (!this.familyIds(owner).has(ticket.fields.iqamaNumber ?? '')) {
          return { status: 'rejected', at, reason: { ar: 'رقم الإقامة ليس على كفالتك.', en: 'The iqama number is not under your sponsorship.' } };
        }
        return { status: 'approved', at, reason: { ar: 'تمت الموافقة على تمديد الإقامة.', en: 'The iqama extension was approved.' } };
      case 'renewed_passport_issue':
        return { status: 'resolved', at, reason: { ar: 'تم تحديث بيانات الجواز المجدد.', en: 'The renewed passport details were updated.' } };
      default:
        return { status: 'resolved', at, reason: { ar: 'تمت معالجة طلبك.', en: 'Your request was handled.' } };
    }
  }

  private addTicketRecord(owner: string, at: number, ticket: NonNullable<RecordState['ticket']>): RecordState {
    const decision = this.ticketDecision(owner, ticket);
    const beneficiary = ticket.fields.beneficiaryIdNumber ?? owner;
    return this.addRecord({
      kind: 'tawasul', owner, beneficiary: this.familyIds(owner).has(beneficiary) ? beneficiary : owner, at,
      number: String(++this.ticketSeq), ticket,
      plan: [
        { status: 'under_review', at: at + REVIEW_AFTER_MS, reason: null },
        { ...decision, at: at + DECISION_AFTER_MS },
      ],
    });
  }

  createTicket(owner: string, input: CreateTicketInput): Ticket {
    this.tick();
    const v = this.validateTicket(owner, input);
    const record = this.addTicketRecord(owner, this.now(), {
      sectionId: v.section.id,
      transactionTypeId: v.type.id,
      description: v.description,
      fields: v.fields,
      attachments: v.attachments.map(publicAttachment),
    });
    for (const a of v.attachments) a.ticketNumber = record.number;
    this.counters.tickets++;
    return this.ticketView(record);
  }

  private ticketSummary(r: RecordState): TicketSummary {
    const t = r.ticket!;
    const section = TAWASUL_SECTIONS.find((s) => s.id === t.sectionId)!;
    const type = section.transactionTypes.find((x) => x.id === t.transactionTypeId)!;
    const last = r.history[r.history.length - 1]!;
    return {
      number: r.number,
      sectionId: section.id,
      transactionTypeId: type.id,
      sectionLabel: section.label,
      transactionTypeLabel: type.label,
      status: last.status,
      statusLabel: STATUS_LABELS[last.status],
      createdAt: iso(r.submittedAt),
      updatedAt: iso(last.at),
    };
  }

  private ticketView(r: RecordState): Ticket {
    const t = r.ticket!;
    const last = r.history[r.history.length - 1]!;
    return {
      ...this.ticketSummary(r),
      description: t.description,
      fields: t.fields,
      attachments: t.attachments,
      reason: last.reason,
      history: r.history.map(entry),
    };
  }

  listMyTickets(owner: string): TicketSummary[] {
    this.tick();
    return [...this.records.values()]
      .filter((r) => r.kind === 'tawasul' && r.ownerIdNumber === owner)
      .sort((a, b) => b.submittedAt - a.submittedAt)
      .map((r) => this.ticketSummary(r));
  }

  getTicket(owner: string, number: string): Ticket {
    this.tick();
    const r = this.records.get(number);
    if (!r || r.kind !== 'tawasul' || r.ownerIdNumber !== owner) throw notFound('ticket');
    return this.ticketView(r);
  }
}

function currentStatus(r: RecordState): RequestStatus {
  return r.history[r.history.length - 1]!.status;
}
function isFinal(s: RequestStatus): boolean {
  return s === 'recorded' || s === 'approved' || s === 'rejected' || s === 'resolved' || s === 'cancelled';
}
function entry(h: HistoryItem): StatusEntry {
  return { status: h.status, statusLabel: STATUS_LABELS[h.status], at: iso(h.at), reason: h.reason };
}
function publicAttachment(a: Attachment): Attachment {
  return { attachmentId: a.attachmentId, fileName: a.fileName, contentType: a.contentType, size: a.size };
}
function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Validates and normalises one Tawasul field value by its spec. */
function checkField(spec: FieldSpec, raw: string): string {
  let value = raw;
  switch (spec.type) {
    case 'idNumber':
      if (!isValidIdNumber(value)) throw invalid(spec.name, 'not a valid ID number', 'invalid_id_number');
      break;
    case 'passportNumber':
      value = value.toUpperCase();
      break;
    case 'date':
      if (!isIsoDate(value)) throw invalid(spec.name, 'a date, yyyy-mm-dd');
      break;
    case 'number': {
      const n = Number(value);
      if (!/^-?\d+(\.\d+)?$/.test(value) || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw invalid(spec.name, `a number${spec.min !== undefined ? ` from ${spec.min}` : ''}${spec.max !== undefined ? ` to ${spec.max}` : ''}`);
      }
      break;
    }
    case 'select':
      if (!spec.options?.some((o) => o.value === value)) throw invalid(spec.name, 'not one of the options');
      break;
    case 'text':
      break;
  }
  if (spec.minLength !== undefined && value.length < spec.minLength) throw invalid(spec.name, `at least ${spec.minLength} characters`);
  if (spec.maxLength !== undefined && value.length > spec.maxLength) throw invalid(spec.name, `at most ${spec.maxLength} characters`);
  if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value)) throw invalid(spec.name, 'wrong format');
  return value;
}
