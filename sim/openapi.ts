/**
 * The OpenAPI 3.1 document of the services API, served at /openapi.json. Component schemas
 * are generated from the same zod schemas the client validates with, so the document, the
 * simulator and the adapter cannot drift apart.
 */
import { z } from 'zod';
import * as T from '../adapters/services/types';
import { ReminderConsentSchema, ReminderExpiriesSchema } from '../adapters/services/reminderConsents';

type Json = Record<string, unknown>;

const components: Record<string, z.ZodType> = {
  Bilingual: T.BilingualSchema,
  StartVerificationResult: T.StartVerificationResultSchema,
  VerifyCodeResult: T.VerifyCodeResultSchema,
  Profile: T.ProfileSchema,
  Dependent: T.DependentSchema,
  RenewalEligibility: T.RenewalEligibilitySchema,
  Bill: T.BillSchema,
  SubmittedRequest: T.SubmittedRequestSchema,
  RequestStatusResult: T.RequestStatusResultSchema,
  ExitReentryVisa: T.ExitReentryVisaSchema,
  TravelPermit: T.TravelPermitSchema,
  PassportUpdateResult: T.PassportUpdateResultSchema,
  TawasulSection: T.TawasulSectionSchema,
  Attachment: T.AttachmentSchema,
  Ticket: T.TicketSchema,
  TicketSummary: T.TicketSummarySchema,
  EventPage: T.EventPageSchema,
  ReminderConsent: ReminderConsentSchema,
  ReminderExpiries: ReminderExpiriesSchema,
  Error: T.ErrorBodySchema,
  StartVerificationInput: z.object({ idNumber: z.string().describe('10 digits, check digit valid') }),
  VerifyCodeInput: z.object({ code: z.string() }),
  CreateRenewalBillInput: z.object({ dependentId: z.string(), months: z.number().int().describe('3, 6, 9 or 12') }),
  SubmitRenewalInput: z.object({ billNumber: z.string() }),
  IssueTravelPermitInput: z.object({ dependentId: z.string(), months: z.number().int().min(1).max(12).optional() }),
  UpdatePassportInput: z.object({
    dependentId: z.string().optional(),
    passportNumber: z.string(),
    issueDate: T.IsoDateSchema,
    expiryDate: T.IsoDateSchema,
    issuingCountry: z.string().min(1).max(60).optional(),
  }),
  CreateTicketInput: z.object({
    sectionId: z.string(),
    transactionTypeId: z.string(),
    fields: z.record(z.string(), z.string()),
    description: z.string().min(T.DESCRIPTION_MIN).max(T.DESCRIPTION_MAX),
    attachmentIds: z.array(z.string()).max(T.MAX_ATTACHMENTS_PER_TICKET),
  }),
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const list = (prop: string, item: string) => ({ type: 'object', required: [prop], properties: { [prop]: { type: 'array', items: ref(item) } } });

interface Op {
  method: 'get' | 'post' | 'delete';
  path: string;
  id: string;
  summary: string;
  auth: 'none' | 'bearer' | 'apiKey';
  body?: string;
  ok: { status: number; schema: Json };
  errors: number[];
  params?: { name: string; in: 'path' | 'query'; required?: boolean; description?: string }[];
}

const OPS: Op[] = [
  { method: 'post', path: '/v1/identity/challenges', id: 'startVerification', summary: 'Send a one-time code to the mobile registered for an ID number (expires after 5 minutes)', auth: 'none', body: 'StartVerificationInput', ok: { status: 201, schema: ref('StartVerificationResult') }, errors: [404, 422, 429] },
  { method: 'post', path: '/v1/identity/challenges/{challengeId}/verify', id: 'verifyCode', summary: 'Verify the code; 3 wrong codes lock the challenge (409 challenge_locked)', auth: 'none', body: 'VerifyCodeInput', ok: { status: 200, schema: ref('VerifyCodeResult') }, errors: [404, 409, 422] },
  { method: 'get', path: '/v1/me', id: 'getProfile', summary: 'The signed-in person', auth: 'bearer', ok: { status: 200, schema: ref('Profile') }, errors: [401] },
  { method: 'get', path: '/v1/me/dependents', id: 'listDependents', summary: "The person's dependents with their documents' validity", auth: 'bearer', ok: { status: 200, schema: list('dependents', 'Dependent') }, errors: [401] },
  { method: 'get', path: '/v1/me/dependents/{dependentId}/iqama-renewal/eligibility', id: 'getRenewalEligibility', summary: 'Every failed renewal condition, offered durations and fees', auth: 'bearer', ok: { status: 200, schema: ref('RenewalEligibility') }, errors: [401, 404] },
  { method: 'post', path: '/v1/iqama-renewal/bills', id: 'createRenewalBill', summary: 'Issue the SADAD bill for a renewal', auth: 'bearer', body: 'CreateRenewalBillInput', ok: { status: 201, schema: ref('Bill') }, errors: [401, 404, 409, 422] },
  { method: 'get', path: '/v1/iqama-renewal/bills/{billNumber}', id: 'getBill', summary: 'A bill and whether it is paid', auth: 'bearer', ok: { status: 200, schema: ref('Bill') }, errors: [401, 404] },
  { method: 'post', path: '/v1/iqama-renewal/requests', id: 'submitRenewal', summary: 'Submit the renewal once its bill is paid', auth: 'bearer', body: 'SubmitRenewalInput', ok: { status: 201, schema: ref('SubmittedRequest') }, errors: [401, 404, 409, 422] },
  { method: 'get', path: '/v1/requests', id: 'listMyRequests', summary: "The person's requests and tickets, newest first", auth: 'bearer', ok: { status: 200, schema: list('requests', 'RequestStatusResult') }, errors: [401] },
  { method: 'get', path: '/v1/requests/{number}', id: 'getRequestStatus', summary: 'Status and history of any request or ticket number of the person', auth: 'bearer', ok: { status: 200, schema: ref('RequestStatusResult') }, errors: [401, 404] },
  { method: 'get', path: '/v1/exit-reentry-visas', id: 'listExitReentryVisas', summary: 'Exit/re-entry visas of the person and dependents with validity', auth: 'bearer', ok: { status: 200, schema: list('visas', 'ExitReentryVisa') }, errors: [401] },
  { method: 'get', path: '/v1/travel-permits', id: 'listTravelPermits', summary: 'Travel permits issued for family members', auth: 'bearer', ok: { status: 200, schema: list('permits', 'TravelPermit') }, errors: [401] },
  { method: 'post', path: '/v1/travel-permits', id: 'issueTravelPermit', summary: 'Issue a travel permit for a family member under 21 and unmarried', auth: 'bearer', body: 'IssueTravelPermitInput', ok: { status: 201, schema: ref('TravelPermit') }, errors: [401, 404, 409, 422] },
  { method: 'post', path: '/v1/travel-permits/{permitNumber}/cancel', id: 'cancelTravelPermit', summary: 'Cancel an active travel permit', auth: 'bearer', ok: { status: 200, schema: ref('TravelPermit') }, errors: [401, 404, 409] },
  { method: 'post', path: '/v1/me/passport', id: 'updatePassportInfo', summary: "Record a renewed passport's details (residents; takes effect at once: status recorded)", auth: 'bearer', body: 'UpdatePassportInput', ok: { status: 201, schema: ref('PassportUpdateResult') }, errors: [401, 404, 409, 422] },
  { method: 'get', path: '/v1/tawasul/sections', id: 'listTawasulSections', summary: 'Tawasul sections, transaction types and the fields each needs', auth: 'none', ok: { status: 200, schema: list('sections', 'TawasulSection') }, errors: [] },
  { method: 'post', path: '/v1/tawasul/attachments', id: 'uploadAttachment', summary: 'Upload one file (PDF, JPEG or PNG, at most 5 MB) as the raw body; name in X-File-Name (URI-encoded)', auth: 'bearer', ok: { status: 201, schema: ref('Attachment') }, errors: [401, 413, 422] },
  { method: 'post', path: '/v1/tawasul/tickets', id: 'createTicket', summary: 'Create a Tawasul ticket (at most 5 attachments)', auth: 'bearer', body: 'CreateTicketInput', ok: { status: 201, schema: ref('Ticket') }, errors: [401, 422] },
  { method: 'get', path: '/v1/tawasul/tickets', id: 'listMyTickets', summary: "The person's tickets, newest first", auth: 'bearer', ok: { status: 200, schema: list('tickets', 'TicketSummary') }, errors: [401] },
  { method: 'get', path: '/v1/tawasul/tickets/{number}', id: 'getTicket', summary: 'A ticket with its status history', auth: 'bearer', ok: { status: 200, schema: ref('Ticket') }, errors: [401, 404] },
  { method: 'get', path: '/v1/events', id: 'listEvents', summary: 'Status changes of requests and tickets after a cursor (for proactive notifications)', auth: 'apiKey', ok: { status: 200, schema: ref('EventPage') }, errors: [401, 422], params: [{ name: 'since', in: 'query', description: 'cursor from the previous page; omit to start' }, { name: 'limit', in: 'query', description: '1 to 500, default 100' }] },
  { method: 'post', path: '/v1/me/reminder-consents', id: 'createReminderConsent', summary: "The person consents to the bot reading their dependents' first names and iqama expiry dates for reminders (422 no_iqama_dependents)", auth: 'bearer', ok: { status: 201, schema: ref('ReminderConsent') }, errors: [401, 422] },
  { method: 'get', path: '/v1/reminder-consents/{consentId}/expiries', id: 'getReminderExpiries', summary: "For one consent only: the dependents' first names and iqama expiry dates, with the API's clock (now, today in Riyadh)", auth: 'apiKey', ok: { status: 200, schema: ref('ReminderExpiries') }, errors: [401, 404] },
  { method: 'delete', path: '/v1/reminder-consents/{consentId}', id: 'revokeReminderConsent', summary: 'Revoke a reminder consent (unknown or revoked: revoked false)', auth: 'apiKey', ok: { status: 200, schema: { type: 'object' } }, errors: [401] },
  { method: 'get', path: '/healthz', id: 'health', summary: 'Liveness', auth: 'none', ok: { status: 200, schema: { type: 'object' } }, errors: [] },
];

const ERROR_TEXT: Record<number, string> = {
  401: 'unauthorised or session expired (reason session_expired)',
  404: 'not found',
  409: 'conflict (reason says which)',
  413: 'file larger than 5 MB',
  422: 'validation error; error.field names the field',
  429: 'rate limited; Retry-After header',
};

let cached: Json | undefined;

export function buildOpenApi(): Json {
  if (cached) return cached;
  const schemas: Json = {};
  for (const [name, schema] of Object.entries(components)) {
    schemas[name] = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' });
  }
  const paths: Record<string, Json> = {};
  for (const op of OPS) {
    const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const params = [...pathParams, ...(op.params ?? []).map((p) => ({ ...p, schema: { type: 'string' } }))];
    if (op.method === 'post') {
      params.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } } as never);
    }
    const responses: Json = { [op.ok.status]: { description: 'OK', content: { 'application/json': { schema: op.ok.schema } } } };
    for (const s of [...op.errors, 500, 503]) {
      responses[s] = { description: ERROR_TEXT[s] ?? 'unavailable', content: { 'application/json': { schema: ref('Error') } } };
    }
    const body =
      op.id === 'uploadAttachment'
        ? { required: true, content: Object.fromEntries(T.ATTACHMENT_CONTENT_TYPES.map((t) => [t, { schema: { type: 'string', contentMediaType: t } }])) }
        : op.body
          ? { required: true, content: { 'application/json': { schema: ref(op.body) } } }
          : undefined;
    paths[op.path] = {
      ...(paths[op.path] ?? {}),
      [op.method]: {
        operationId: op.id,
        summary: op.summary,
        ...(op.auth === 'bearer' ? { security: [{ bearer: [] }] } : op.auth === 'apiKey' ? { security: [{ apiKey: [] }] } : { security: [] }),
        ...(params.length ? { parameters: params } : {}),
        ...(body ? { requestBody: body } : {}),
        responses,
      },
    };
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Musaed services API (Absher passports e-services, as the bot needs them)',
      version: '1.0.0',
      description:
        'Every POST honours Idempotency-Key: a repeated key (same caller, path and body) returns the first successful result and creates nothing new. Errors carry {error: {reason, message, field?}}.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'accessToken from verifyCode; expires (401 session_expired)' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
      schemas,
    },
    paths,
  };
  return cached;
}

/** Operation ids, for tests that check the document covers every adapter function. */
export const OPERATION_IDS = OPS.map((o) => o.id);
