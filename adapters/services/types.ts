/**
 * The services API contract as the bot sees it: domain types (zod schemas + inferred types),
 * the `ServicesApi` interface dialogs call, and the one error taxonomy (`ServiceError`).
 * No botbuilder types here. The simulator (sim/) serves exactly these shapes; the client
 * (client.ts) validates every response against them.
 *
 * Conventions: labels are bilingual `{ ar, en }`; dates are `yyyy-mm-dd`; events and history
 * carry ISO timestamps; money is SAR as a number. Changes to this file must stay additive.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Primitives

export const BilingualSchema = z.object({ ar: z.string(), en: z.string() });
export type Bilingual = z.infer<typeof BilingualSchema>;

/** Calendar date `yyyy-mm-dd` (Gregorian). */
export const IsoDateSchema = z.iso.date();
/** Instant, ISO 8601 with offset or Z. */
export const IsoTimestampSchema = z.iso.datetime({ offset: true });
/** Saudi riyals. */
export const SarSchema = z.number().nonnegative();

/** 10 digits, 1… citizen, 2… resident (check digit validated by dialogs/understanding/idNumber). */
export const IdNumberSchema = z.string().regex(/^[12]\d{9}$/);

/**
 * Request and ticket numbers: 9 digits; requests (renewal, passport update, permits, visas)
 * start with 4, Tawasul tickets with 7. Never confusable with a 10-digit ID number.
 */
export const REQUEST_NUMBER_PATTERN = /^[47]\d{8}$/;
export const RequestNumberSchema = z.string().regex(REQUEST_NUMBER_PATTERN);
export function isRequestNumber(text: string): boolean {
  return REQUEST_NUMBER_PATTERN.test(text);
}

// ---------------------------------------------------------------------------------------------
// Identity

export const PersonKindSchema = z.enum(['citizen', 'resident']);
export type PersonKind = z.infer<typeof PersonKindSchema>;

export const StartVerificationResultSchema = z.object({
  challengeId: z.string().min(1),
  /** e.g. "05******12": the mobile registered in Absher, masked. */
  maskedMobile: z.string(),
  expiresAt: IsoTimestampSchema,
  /** Wrong codes allowed before the challenge locks (3 at the start). */
  attemptsLeft: z.number().int().nonnegative(),
});
export type StartVerificationResult = z.infer<typeof StartVerificationResultSchema>;

export const PersonSummarySchema = z.object({
  idNumber: IdNumberSchema,
  kind: PersonKindSchema,
  name: BilingualSchema,
});
export type PersonSummary = z.infer<typeof PersonSummarySchema>;

export const VerifyCodeResultSchema = z.object({
  /** Bearer token for every personal call; short-lived (15 min by default). */
  accessToken: z.string().min(16),
  expiresAt: IsoTimestampSchema,
  person: PersonSummarySchema,
});
export type VerifyCodeResult = z.infer<typeof VerifyCodeResultSchema>;

// ---------------------------------------------------------------------------------------------
// People and their documents

export const DocumentStatusSchema = z.enum(['valid', 'expired', 'missing']);
export type DocumentStatus = z.infer<typeof DocumentStatusSchema>;

export const PassportSchema = z.object({
  number: z.string(),
  issueDate: IsoDateSchema.nullable(),
  expiryDate: IsoDateSchema,
  status: z.enum(['valid', 'expired']),
});
export type Passport = z.infer<typeof PassportSchema>;

export const HealthInsuranceSchema = z.object({
  status: DocumentStatusSchema,
  /** null when missing. */
  expiryDate: IsoDateSchema.nullable(),
  provider: z.string().nullable(),
});
export type HealthInsurance = z.infer<typeof HealthInsuranceSchema>;

export const IqamaSchema = z.object({
  expiryDate: IsoDateSchema,
  status: z.enum(['valid', 'expired']),
});
export type Iqama = z.infer<typeof IqamaSchema>;

export const ViolationsSchema = z.object({ count: z.number().int().nonnegative(), amount: SarSchema });
export type Violations = z.infer<typeof ViolationsSchema>;

export const MaritalStatusSchema = z.enum(['single', 'married', 'divorced', 'widowed']);
export type MaritalStatus = z.infer<typeof MaritalStatusSchema>;

export const RelationshipSchema = z.enum(['spouse', 'son', 'daughter', 'father', 'mother']);
export type Relationship = z.infer<typeof RelationshipSchema>;

/** What the sponsor and each dependent have in common. */
const PersonRecordShape = {
  idNumber: IdNumberSchema,
  kind: PersonKindSchema,
  name: BilingualSchema,
  nationality: BilingualSchema,
  dateOfBirth: IsoDateSchema,
  maritalStatus: MaritalStatusSchema,
  /** null for citizens (they hold a national ID, not an iqama). */
  iqama: IqamaSchema.nullable(),
  passport: PassportSchema,
  healthInsurance: HealthInsuranceSchema,
  nationalAddressRegistered: z.boolean(),
  medicalExamRequired: z.boolean(),
  /** Government fees due (e.g. dependent fees), SAR. */
  unpaidFees: SarSchema,
  violations: ViolationsSchema,
};

export const ProfileSchema = z.object({
  ...PersonRecordShape,
  maskedMobile: z.string(),
  dependentsCount: z.number().int().nonnegative(),
});
export type Profile = z.infer<typeof ProfileSchema>;

export const DependentSchema = z.object({
  /** Opaque id to pass back to the API (stable for a dependent). */
  id: z.string().min(1),
  ...PersonRecordShape,
  relationship: RelationshipSchema,
  relationshipLabel: BilingualSchema,
  /** Whole years on the simulator's (or gateway's) today. */
  age: z.number().int().nonnegative(),
});
export type Dependent = z.infer<typeof DependentSchema>;

// ---------------------------------------------------------------------------------------------
// Iqama renewal for family members (seed 004)

/**
 * Each failed condition of the seed about renewing family members' iqamas, plus:
 * `not_iqama_holder` (a citizen family member has no iqama to renew) and
 * `renewal_in_progress` (a renewal request for this dependent is still open).
 */
export const EligibilityFailureSchema = z.discriminatedUnion('code', [
  z.object({ code: z.literal('unpaid_fees'), amount: SarSchema }),
  z.object({ code: z.literal('unpaid_violations'), amount: SarSchema, count: z.number().int().positive() }),
  z.object({ code: z.literal('passport_expired'), expiryDate: IsoDateSchema }),
  z.object({ code: z.literal('no_national_address') }),
  z.object({ code: z.literal('health_insurance_missing') }),
  z.object({ code: z.literal('health_insurance_expired'), expiryDate: IsoDateSchema }),
  z.object({ code: z.literal('medical_exam_required') }),
  z.object({ code: z.literal('not_iqama_holder') }),
  z.object({ code: z.literal('renewal_in_progress'), requestNumber: RequestNumberSchema }),
]);
export type EligibilityFailure = z.infer<typeof EligibilityFailureSchema>;
export type EligibilityFailureCode = EligibilityFailure['code'];

export const RenewalDurationSchema = z.object({
  months: z.number().int().positive(),
  /** Total to pay for this duration, SAR. */
  fee: SarSchema,
  breakdown: z.object({
    /** Dependent fee: 50 SAR a month in the simulator. */
    dependentFee: SarSchema,
    /** Iqama issuance fee: flat per renewal in the simulator. */
    issuanceFee: SarSchema,
  }),
});
export type RenewalDuration = z.infer<typeof RenewalDurationSchema>;

export const RenewalEligibilitySchema = z.object({
  dependentId: z.string(),
  eligible: z.boolean(),
  /** Every failed condition, empty when eligible. */
  failures: z.array(EligibilityFailureSchema),
  /** Durations offered (3, 6, 9, 12 months); empty when not eligible. */
  durations: z.array(RenewalDurationSchema),
  iqamaExpiry: IsoDateSchema.nullable(),
});
export type RenewalEligibility = z.infer<typeof RenewalEligibilitySchema>;

export const BillSchema = z.object({
  billNumber: z.string().min(1),
  /** The number a person pays in the bank app (SADAD). */
  sadadNumber: z.string().min(1),
  billerCode: z.string().min(1),
  billerName: BilingualSchema,
  amount: SarSchema,
  dueDate: IsoDateSchema,
  status: z.enum(['unpaid', 'paid', 'expired']),
  dependentId: z.string(),
  months: z.number().int().positive(),
  description: BilingualSchema,
});
export type Bill = z.infer<typeof BillSchema>;

export interface CreateRenewalBillInput {
  dependentId: string;
  months: number;
}

export interface SubmitRenewalInput {
  billNumber: string;
}

// ---------------------------------------------------------------------------------------------
// Requests and their status (shared by renewals, permits, passport updates, visas, tickets)

/**
 * recorded (قيدت): the transaction has been confirmed and entered in the records; it took
 * effect and nothing more is needed (e.g. a passport-details update). Others are self-evident;
 * needs_info waits for the person, approved/rejected/resolved/cancelled are final.
 */
export const RequestStatusSchema = z.enum([
  'recorded',
  'submitted',
  'under_review',
  'needs_info',
  'approved',
  'rejected',
  'resolved',
  'cancelled',
]);
export type RequestStatus = z.infer<typeof RequestStatusSchema>;
export const FINAL_STATUSES: readonly RequestStatus[] = ['recorded', 'approved', 'rejected', 'resolved', 'cancelled'];

export const RequestKindSchema = z.enum([
  'iqama_renewal',
  'passport_update',
  'travel_permit',
  'exit_reentry_visa',
  'tawasul',
]);
export type RequestKind = z.infer<typeof RequestKindSchema>;

export const StatusEntrySchema = z.object({
  status: RequestStatusSchema,
  statusLabel: BilingualSchema,
  at: IsoTimestampSchema,
  /** Why (for needs_info, rejected, resolved, …), in both languages. */
  reason: BilingualSchema.nullable(),
});
export type StatusEntry = z.infer<typeof StatusEntrySchema>;

export const RequestStatusResultSchema = z.object({
  number: RequestNumberSchema,
  kind: RequestKindSchema,
  kindLabel: BilingualSchema,
  status: RequestStatusSchema,
  statusLabel: BilingualSchema,
  reason: BilingualSchema.nullable(),
  /** Whom it concerns (the person or a dependent). */
  beneficiary: z.object({ name: BilingualSchema, idNumber: IdNumberSchema }),
  submittedAt: IsoTimestampSchema,
  updatedAt: IsoTimestampSchema,
  history: z.array(StatusEntrySchema),
});
export type RequestStatusResult = z.infer<typeof RequestStatusResultSchema>;

export const SubmittedRequestSchema = z.object({
  requestNumber: RequestNumberSchema,
  kind: RequestKindSchema,
  status: RequestStatusSchema,
  statusLabel: BilingualSchema,
  submittedAt: IsoTimestampSchema,
});
export type SubmittedRequest = z.infer<typeof SubmittedRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Exit/re-entry visas

export const ExitReentryVisaSchema = z.object({
  visaNumber: z.string(),
  holder: z.object({ name: BilingualSchema, idNumber: IdNumberSchema }),
  type: z.enum(['single', 'multiple']),
  issueDate: IsoDateSchema,
  /** Leave the Kingdom before this date. */
  exitBefore: IsoDateSchema,
  /** Days allowed abroad after leaving. */
  durationDays: z.number().int().positive(),
  status: z.enum(['valid', 'used', 'expired', 'cancelled']),
});
export type ExitReentryVisa = z.infer<typeof ExitReentryVisaSchema>;

// ---------------------------------------------------------------------------------------------
// Travel permits for family members under 21 and unmarried (seed 001)

export const TravelPermitSchema = z.object({
  permitNumber: RequestNumberSchema,
  dependentId: z.string(),
  dependentName: BilingualSchema,
  status: z.enum(['active', 'cancelled', 'expired']),
  issuedAt: IsoTimestampSchema,
  validUntil: IsoDateSchema,
  cancelledAt: IsoTimestampSchema.nullable(),
});
export type TravelPermit = z.infer<typeof TravelPermitSchema>;

export interface IssueTravelPermitInput {
  dependentId: string;
  /** 1–12; the simulator defaults to 12 and never past the 21st birthday. */
  months?: number;
}

// ---------------------------------------------------------------------------------------------
// Passport information update (seed 001)

export interface UpdatePassportInput {
  /** Omit for the signed-in person; a dependent's id otherwise. */
  dependentId?: string;
  passportNumber: string;
  issueDate: string;
  expiryDate: string;
  /** The country that issued the renewed passport, as the person named it (1–60 characters). */
  issuingCountry?: string;
}

export const PassportUpdateResultSchema = z.object({
  requestNumber: RequestNumberSchema,
  status: RequestStatusSchema,
  statusLabel: BilingualSchema,
  passport: PassportSchema,
});
export type PassportUpdateResult = z.infer<typeof PassportUpdateResultSchema>;

// ---------------------------------------------------------------------------------------------
// Tawasul (seed 003)

export const FieldTypeSchema = z.enum(['text', 'date', 'idNumber', 'passportNumber', 'number', 'select']);
export type FieldType = z.infer<typeof FieldTypeSchema>;

export const FieldSpecSchema = z.object({
  name: z.string(),
  label: BilingualSchema,
  type: FieldTypeSchema,
  required: z.boolean(),
  /** Only for select. */
  options: z.array(z.object({ value: z.string(), label: BilingualSchema })).optional(),
  minLength: z.number().int().optional(),
  maxLength: z.number().int().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  /** Regular expression the value must match (source text, no flags). */
  pattern: z.string().optional(),
});
export type FieldSpec = z.infer<typeof FieldSpecSchema>;

export const TransactionTypeSchema = z.object({
  id: z.string(),
  label: BilingualSchema,
  description: BilingualSchema,
  fields: z.array(FieldSpecSchema),
  attachments: z.object({ required: z.boolean(), hint: BilingualSchema }),
});
export type TransactionType = z.infer<typeof TransactionTypeSchema>;

export const TawasulSectionSchema = z.object({
  id: z.string(),
  label: BilingualSchema,
  transactionTypes: z.array(TransactionTypeSchema),
});
export type TawasulSection = z.infer<typeof TawasulSectionSchema>;

export const ATTACHMENT_CONTENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type AttachmentContentType = (typeof ATTACHMENT_CONTENT_TYPES)[number];
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_TICKET = 5;
/** Ticket description limits (characters). */
export const DESCRIPTION_MIN = 10;
export const DESCRIPTION_MAX = 1000;

export interface UploadAttachmentInput {
  fileName: string;
  contentType: AttachmentContentType;
  bytes: Uint8Array;
}

export const AttachmentSchema = z.object({
  attachmentId: z.string().min(1),
  fileName: z.string(),
  contentType: z.enum(ATTACHMENT_CONTENT_TYPES),
  size: z.number().int().nonnegative(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export interface CreateTicketInput {
  sectionId: string;
  transactionTypeId: string;
  /** Values of the type's fields by name, as text (dates yyyy-mm-dd, numbers as digits). */
  fields: Record<string, string>;
  description: string;
  attachmentIds: string[];
}

export const TicketSummarySchema = z.object({
  number: RequestNumberSchema,
  sectionId: z.string(),
  transactionTypeId: z.string(),
  sectionLabel: BilingualSchema,
  transactionTypeLabel: BilingualSchema,
  status: RequestStatusSchema,
  statusLabel: BilingualSchema,
  createdAt: IsoTimestampSchema,
  updatedAt: IsoTimestampSchema,
});
export type TicketSummary = z.infer<typeof TicketSummarySchema>;

export const TicketSchema = TicketSummarySchema.extend({
  description: z.string(),
  fields: z.record(z.string(), z.string()),
  attachments: z.array(AttachmentSchema),
  reason: BilingualSchema.nullable(),
  history: z.array(StatusEntrySchema),
});
export type Ticket = z.infer<typeof TicketSchema>;

// ---------------------------------------------------------------------------------------------
// Status-change event feed (for proactive notifications; service API key, not a person's token)

export const StatusEventSchema = z.object({
  /** Strictly increasing. */
  seq: z.number().int().positive(),
  kind: z.enum(['ticket', 'request']),
  requestKind: RequestKindSchema,
  number: RequestNumberSchema,
  ownerIdNumber: IdNumberSchema,
  status: RequestStatusSchema,
  statusLabel: BilingualSchema,
  reason: BilingualSchema.nullable(),
  at: IsoTimestampSchema,
});
export type StatusEvent = z.infer<typeof StatusEventSchema>;

export const EventPageSchema = z.object({
  events: z.array(StatusEventSchema),
  /** Pass back as sinceCursor; unchanged when there is nothing new. */
  cursor: z.string(),
});
export type EventPage = z.infer<typeof EventPageSchema>;

// ---------------------------------------------------------------------------------------------
// Errors

export type ServiceErrorKind = 'unauthorized' | 'not_found' | 'validation' | 'conflict' | 'rate_limited' | 'unavailable';

/**
 * Finer reasons the server may give (dialogs may pick a more precise message by them):
 * - unauthorized: session_expired, invalid_token, invalid_api_key
 * - validation: invalid_id_number, code_incorrect, invalid_field, file_too_large,
 *   file_type, too_many_attachments, travel_permit_over_21, travel_permit_married,
 *   not_eligible
 * - conflict: challenge_locked, challenge_expired, bill_unpaid, bill_used,
 *   renewal_in_progress, permit_active, same_passport, idempotency_mismatch
 * - rate_limited: too_many_challenges
 * - unavailable: timeout, network, bad_response, server_error, circuit_open
 */
export type ServiceErrorReason = string;

export interface ServiceErrorInit {
  field?: string;
  reason?: ServiceErrorReason;
  /** HTTP status when there was a response. */
  status?: number;
  /** After a wrong one-time code: how many tries remain. */
  attemptsLeft?: number;
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** The only error the services client throws. Dialogs map `kind` (and `reason`) to messages. */
export class ServiceError extends Error {
  readonly kind: ServiceErrorKind;
  readonly field?: string;
  readonly reason?: ServiceErrorReason;
  readonly status?: number;
  readonly attemptsLeft?: number;
  readonly retryAfterSeconds?: number;

  constructor(kind: ServiceErrorKind, message: string, init: ServiceErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ServiceError';
    this.kind = kind;
    this.field = init.field;
    this.reason = init.reason;
    this.status = init.status;
    this.attemptsLeft = init.attemptsLeft;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

export function isServiceError(e: unknown): e is ServiceError {
  return e instanceof ServiceError;
}

/** Error body every non-2xx response carries. */
export const ErrorBodySchema = z.object({
  error: z.object({
    reason: z.string(),
    message: z.string(),
    field: z.string().optional(),
    attemptsLeft: z.number().int().optional(),
    retryAfterSeconds: z.number().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

// ---------------------------------------------------------------------------------------------
// The interface dialogs use (bot/ wires the HTTP client; tests may pass fakes)

/**
 * Writes take an `idempotencyKey` (contentIdempotencyKey() of who and what is written, or
 * newIdempotencyKey() kept in dialog state for one action): repeating the call with the same key returns the first result and
 * creates nothing new. Every method throws only ServiceError.
 */
export interface ServicesApi {
  // identity
  /** Sends a one-time code to the mobile registered for this ID number. */
  startVerification(idNumber: string, idempotencyKey?: string): Promise<StartVerificationResult>;
  /** Wrong code → validation/code_incorrect with attemptsLeft; 3 wrong → conflict/challenge_locked; after 5 min → conflict/challenge_expired. */
  verifyCode(challengeId: string, code: string, idempotencyKey?: string): Promise<VerifyCodeResult>;

  // the signed-in person
  getProfile(token: string): Promise<Profile>;
  listDependents(token: string): Promise<Dependent[]>;

  // iqama renewal for dependents
  getRenewalEligibility(token: string, dependentId: string): Promise<RenewalEligibility>;
  /** Not eligible → validation/not_eligible (field dependentId); months not offered → validation (field months). */
  createRenewalBill(token: string, input: CreateRenewalBillInput, idempotencyKey: string): Promise<Bill>;
  getBill(token: string, billNumber: string): Promise<Bill>;
  /** Unpaid bill → conflict/bill_unpaid; already used → conflict/bill_used. */
  submitRenewal(token: string, input: SubmitRenewalInput, idempotencyKey: string): Promise<SubmittedRequest>;

  // status of any request or ticket of the person (or their dependents)
  getRequestStatus(token: string, number: string): Promise<RequestStatusResult>;
  listMyRequests(token: string): Promise<RequestStatusResult[]>;

  // visas
  listExitReentryVisas(token: string): Promise<ExitReentryVisa[]>;

  // travel permits
  listTravelPermits(token: string): Promise<TravelPermit[]>;
  issueTravelPermit(token: string, input: IssueTravelPermitInput, idempotencyKey: string): Promise<TravelPermit>;
  cancelTravelPermit(token: string, permitNumber: string, idempotencyKey: string): Promise<TravelPermit>;

  // passport
  updatePassportInfo(token: string, input: UpdatePassportInput, idempotencyKey: string): Promise<PassportUpdateResult>;

  // Tawasul
  listTawasulSections(): Promise<TawasulSection[]>;
  uploadAttachment(token: string, input: UploadAttachmentInput, idempotencyKey: string): Promise<Attachment>;
  /** `alreadyFiled` when the key was used before: the ticket is the one filed then, nothing new was created. */
  createTicket(token: string, input: CreateTicketInput, idempotencyKey: string): Promise<Ticket & { alreadyFiled?: true }>;
  listMyTickets(token: string): Promise<TicketSummary[]>;
  getTicket(token: string, number: string): Promise<Ticket>;

  // events for proactive notifications (service API key)
  listEvents(sinceCursor?: string, limit?: number): Promise<EventPage>;

  /** True when the API answers its health route (for /readyz); never throws. */
  ping(): Promise<boolean>;
}
