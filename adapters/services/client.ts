/**
 * The typed HTTP client of the services API (the bot's tools). Every response is validated
 * with zod; every failure becomes a ServiceError of one kind. Reads are retried with
 * exponential backoff; writes are sent once with the caller's Idempotency-Key (generated per
 * user action and reused when the person retries, so a write never creates a second record).
 * A circuit breaker (cockatiel) stops calling a failing API and lets one probe through later.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  isTaskCancelledError,
  retry as retryPolicy,
  timeout as timeoutPolicy,
  TimeoutStrategy,
  CircuitState,
} from 'cockatiel';
import { z } from 'zod';
import { undiciTransport, type HttpReply, type HttpTransport } from './transport';
import {
  AttachmentSchema,
  ATTACHMENT_CONTENT_TYPES,
  BillSchema,
  DependentSchema,
  ErrorBodySchema,
  EventPageSchema,
  ExitReentryVisaSchema,
  MAX_ATTACHMENT_BYTES,
  PassportUpdateResultSchema,
  ProfileSchema,
  RenewalEligibilitySchema,
  RequestStatusResultSchema,
  ServiceError,
  StartVerificationResultSchema,
  SubmittedRequestSchema,
  TawasulSectionSchema,
  TicketSchema,
  TicketSummarySchema,
  TravelPermitSchema,
  VerifyCodeResultSchema,
  type ServiceErrorKind,
  type ServicesApi,
} from './types';
import { ReminderConsentSchema, ReminderExpiriesSchema, type ReminderConsentApi } from './reminderConsents';

export interface ServicesClientOptions {
  /** e.g. http://127.0.0.1:3979 (SERVICES_API_URL), no trailing path. */
  baseUrl: string;
  /** Per attempt, including reading the body; default 5000. */
  timeoutMs?: number;
  /** X-Api-Key for the event feed (SERVICES_API_KEY). */
  apiKey?: string;
  logger?: Logger;
  /** Reads only. retries: attempts after the first (default 2); delays in ms. */
  retry?: { retries?: number; initialDelayMs?: number; maxDelayMs?: number };
  /** Opens after this many consecutive unavailable failures (default 5); probes again after halfOpenAfterMs (default 10000). */
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
  /** The HTTP exchange (tests may inject one); default undici's request(). */
  transport?: HttpTransport;
}

export type CircuitStateName = 'closed' | 'open' | 'half_open' | 'isolated';

export interface ServicesClient extends ServicesApi, ReminderConsentApi {
  /** The breaker's state (metrics, tests). */
  circuitState(): CircuitStateName;
  /** Called on every breaker change; returns a function that unsubscribes. */
  onCircuitChange(listener: (state: CircuitStateName) => void): () => void;
}

/** One key per user action: store it with the action and pass the same one on every retry. */
export function newIdempotencyKey(): string {
  return randomUUID();
}

/** JSON with object keys sorted, so the same content always gives the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The key of a write derived from what it writes (who, and the whole content), hashed: the
 * same request made again — after a timeout, from the menu, in a new conversation — carries
 * the same key, so the services API replays the first record instead of creating a second.
 * Only the hash leaves the process; the content is never in the key.
 */
export function contentIdempotencyKey(kind: string, content: unknown): string {
  return `${kind}-${createHash('sha256').update(canonical(content)).digest('hex')}`;
}

interface CallSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** Operation name for logs (never the path: it may carry numbers). */
  op: string;
  token?: string;
  apiKey?: boolean;
  json?: unknown;
  raw?: { bytes: Uint8Array; contentType: string; fileName: string };
  idempotencyKey?: string;
  /** Called when the services API answers with a replay of an earlier write (Idempotent-Replayed). */
  onReplayed?: () => void;
}

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

function kindForStatus(status: number): ServiceErrorKind {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 400 || status === 413 || status === 422) return 'validation';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  return 'unavailable';
}

const isUnavailable = (e: unknown) => !(e instanceof ServiceError) || e.kind === 'unavailable';

export function createServicesClient(options: ServicesClientOptions): ServicesClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const send = options.transport ?? undiciTransport;
  const timeoutMs = options.timeoutMs ?? 5000;
  const log = options.logger;

  // Cooperative: the timeout aborts the signal; fetch and the body read stop and we say "timeout".
  const perAttemptTimeout = timeoutPolicy(timeoutMs, TimeoutStrategy.Cooperative);
  const breaker = circuitBreaker(handleWhen(isUnavailable), {
    halfOpenAfter: options.breaker?.halfOpenAfterMs ?? 10_000,
    breaker: new ConsecutiveBreaker(options.breaker?.consecutiveFailures ?? 5),
  });
  const reads = retryPolicy(
    handleWhen((e) => e instanceof ServiceError && e.kind === 'unavailable' && e.reason !== 'circuit_open'),
    {
      maxAttempts: options.retry?.retries ?? 2,
      backoff: new ExponentialBackoff({
        initialDelay: options.retry?.initialDelayMs ?? 200,
        maxDelay: options.retry?.maxDelayMs ?? 2000,
      }),
    },
  );
  breaker.onBreak(() => log?.warn({ service: 'services-api' }, 'services API circuit opened'));
  breaker.onReset(() => log?.info({ service: 'services-api' }, 'services API circuit closed'));

  /** One HTTP exchange: status mapped, body parsed and validated. */
  async function once<T>(spec: CallSpec, schema: z.ZodType<T>, signal: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (spec.token !== undefined) headers.authorization = `Bearer ${spec.token}`;
    if (spec.apiKey && options.apiKey) headers['x-api-key'] = options.apiKey;
    if (spec.idempotencyKey) headers['idempotency-key'] = spec.idempotencyKey;
    let body: string | Uint8Array | undefined;
    if (spec.raw) {
      headers['content-type'] = spec.raw.contentType;
      headers['x-file-name'] = encodeURIComponent(spec.raw.fileName);
      body = new Uint8Array(spec.raw.bytes);
    } else if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    }
    let res: HttpReply;
    try {
      res = await send(`${base}${spec.path}`, { method: spec.method, headers, body, signal });
    } catch (e) {
      if (signal.aborted) throw new ServiceError('unavailable', `${spec.op}: timed out after ${timeoutMs} ms`, { reason: 'timeout', cause: e });
      throw new ServiceError('unavailable', `${spec.op}: network error`, { reason: 'network', cause: e });
    }
    const text = res.text;
    if (res.status < 200 || res.status >= 300) {
      const kind = kindForStatus(res.status);
      let parsed: z.infer<typeof ErrorBodySchema> | undefined;
      try {
        const r = ErrorBodySchema.safeParse(JSON.parse(text));
        if (r.success) parsed = r.data;
      } catch {
        /* a proxy's HTML page: the status alone decides */
      }
      const retryAfter = Number(res.header('retry-after'));
      throw new ServiceError(kind, `${spec.op}: HTTP ${res.status}${parsed ? ` ${parsed.error.reason}` : ''}`, {
        status: res.status,
        reason: parsed?.error.reason ?? (kind === 'unavailable' ? 'server_error' : undefined),
        field: parsed?.error.field,
        attemptsLeft: parsed?.error.attemptsLeft,
        retryAfterSeconds: parsed?.error.retryAfterSeconds ?? (Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined),
      });
    }
    if (spec.onReplayed && res.header('idempotent-replayed') === 'true') spec.onReplayed();
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new ServiceError('unavailable', `${spec.op}: response is not JSON`, { reason: 'bad_response', status: res.status, cause: e });
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') ?? '';
      throw new ServiceError('unavailable', `${spec.op}: unexpected response shape at "${where}"`, {
        reason: 'bad_response',
        status: res.status,
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  /** One attempt through the breaker and the timeout; every error leaves as a ServiceError. */
  async function attempt<T>(spec: CallSpec, schema: z.ZodType<T>): Promise<T> {
    try {
      return await breaker.execute(() => perAttemptTimeout.execute(({ signal }) => once(spec, schema, signal)));
    } catch (e) {
      if (e instanceof ServiceError) throw e;
      if (isBrokenCircuitError(e)) throw new ServiceError('unavailable', `${spec.op}: circuit open`, { reason: 'circuit_open', cause: e });
      if (isTaskCancelledError(e)) throw new ServiceError('unavailable', `${spec.op}: timed out after ${timeoutMs} ms`, { reason: 'timeout', cause: e });
      throw new ServiceError('unavailable', `${spec.op}: ${e instanceof Error ? e.message : 'failed'}`, { reason: 'network', cause: e });
    }
  }

  async function call<T>(spec: CallSpec, schema: z.ZodType<T>): Promise<T> {
    try {
      // Reads retry; writes go once (the person's retry reuses the key).
      return spec.method === 'GET' ? await reads.execute(() => attempt(spec, schema)) : await attempt(spec, schema);
    } catch (e) {
      const err = e instanceof ServiceError ? e : new ServiceError('unavailable', `${spec.op}: failed`, { reason: 'network', cause: e });
      if (err.kind === 'unavailable') log?.warn({ op: spec.op, reason: err.reason, status: err.status }, 'services API unavailable');
      else log?.debug({ op: spec.op, kind: err.kind, reason: err.reason, status: err.status }, 'services API refused');
      throw err;
    }
  }

  const seg = (s: string) => encodeURIComponent(s);
  const DependentsPage = z.object({ dependents: z.array(DependentSchema) }).transform((o) => o.dependents);
  const RequestsPage = z.object({ requests: z.array(RequestStatusResultSchema) }).transform((o) => o.requests);
  const VisasPage = z.object({ visas: z.array(ExitReentryVisaSchema) }).transform((o) => o.visas);
  const PermitsPage = z.object({ permits: z.array(TravelPermitSchema) }).transform((o) => o.permits);
  const SectionsPage = z.object({ sections: z.array(TawasulSectionSchema) }).transform((o) => o.sections);
  const TicketsPage = z.object({ tickets: z.array(TicketSummarySchema) }).transform((o) => o.tickets);
  const requireKey = (key: string | undefined, op: string) => {
    if (!key) throw new ServiceError('validation', `${op}: an idempotency key is required`, { field: 'idempotencyKey' });
    return key;
  };

  const client: ServicesClient = {
    startVerification: (idNumber, idempotencyKey = newIdempotencyKey()) =>
      call({ method: 'POST', path: '/v1/identity/challenges', op: 'startVerification', json: { idNumber }, idempotencyKey }, StartVerificationResultSchema),
    verifyCode: (challengeId, code, idempotencyKey = newIdempotencyKey()) =>
      call(
        { method: 'POST', path: `/v1/identity/challenges/${seg(challengeId)}/verify`, op: 'verifyCode', json: { code }, idempotencyKey },
        VerifyCodeResultSchema,
      ),
    getProfile: (token) => call({ method: 'GET', path: '/v1/me', op: 'getProfile', token }, ProfileSchema),
    listDependents: (token) => call({ method: 'GET', path: '/v1/me/dependents', op: 'listDependents', token }, DependentsPage),
    getRenewalEligibility: (token, dependentId) =>
      call(
        { method: 'GET', path: `/v1/me/dependents/${seg(dependentId)}/iqama-renewal/eligibility`, op: 'getRenewalEligibility', token },
        RenewalEligibilitySchema,
      ),
    createRenewalBill: async (token, input, idempotencyKey) =>
      call(
        { method: 'POST', path: '/v1/iqama-renewal/bills', op: 'createRenewalBill', token, json: input, idempotencyKey: requireKey(idempotencyKey, 'createRenewalBill') },
        BillSchema,
      ),
    getBill: (token, billNumber) => call({ method: 'GET', path: `/v1/iqama-renewal/bills/${seg(billNumber)}`, op: 'getBill', token }, BillSchema),
    submitRenewal: async (token, input, idempotencyKey) =>
      call(
        { method: 'POST', path: '/v1/iqama-renewal/requests', op: 'submitRenewal', token, json: input, idempotencyKey: requireKey(idempotencyKey, 'submitRenewal') },
        SubmittedRequestSchema,
      ),
    getRequestStatus: (token, number) =>
      call({ method: 'GET', path: `/v1/requests/${seg(number)}`, op: 'getRequestStatus', token }, RequestStatusResultSchema),
    listMyRequests: (token) => call({ method: 'GET', path: '/v1/requests', op: 'listMyRequests', token }, RequestsPage),
    listExitReentryVisas: (token) => call({ method: 'GET', path: '/v1/exit-reentry-visas', op: 'listExitReentryVisas', token }, VisasPage),
    listTravelPermits: (token) => call({ method: 'GET', path: '/v1/travel-permits', op: 'listTravelPermits', token }, PermitsPage),
    issueTravelPermit: async (token, input, idempotencyKey) =>
      call(
        { method: 'POST', path: '/v1/travel-permits', op: 'issueTravelPermit', token, json: input, idempotencyKey: requireKey(idempotencyKey, 'issueTravelPermit') },
        TravelPermitSchema,
      ),
    cancelTravelPermit: async (token, permitNumber, idempotencyKey) =>
      call(
        {
          method: 'POST',
          path: `/v1/travel-permits/${seg(permitNumber)}/cancel`,
          op: 'cancelTravelPermit',
          token,
          json: {},
          idempotencyKey: requireKey(idempotencyKey, 'cancelTravelPermit'),
        },
        TravelPermitSchema,
      ),
    updatePassportInfo: async (token, input, idempotencyKey) =>
      call(
        { method: 'POST', path: '/v1/me/passport', op: 'updatePassportInfo', token, json: input, idempotencyKey: requireKey(idempotencyKey, 'updatePassportInfo') },
        PassportUpdateResultSchema,
      ),
    listTawasulSections: () => call({ method: 'GET', path: '/v1/tawasul/sections', op: 'listTawasulSections' }, SectionsPage),
    uploadAttachment: async (token, input, idempotencyKey) => {
      // Checked here too so a person hears at once, without a round trip.
      if (!(ATTACHMENT_CONTENT_TYPES as readonly string[]).includes(input.contentType)) {
        throw new ServiceError('validation', 'uploadAttachment: PDF, JPEG or PNG only', { field: 'contentType', reason: 'file_type' });
      }
      if (input.bytes.byteLength > MAX_ATTACHMENT_BYTES) {
        throw new ServiceError('validation', 'uploadAttachment: larger than 5 MB', { field: 'file', reason: 'file_too_large' });
      }
      return call(
        {
          method: 'POST',
          path: '/v1/tawasul/attachments',
          op: 'uploadAttachment',
          token,
          raw: { bytes: input.bytes, contentType: input.contentType, fileName: input.fileName },
          idempotencyKey: requireKey(idempotencyKey, 'uploadAttachment'),
        },
        AttachmentSchema,
      );
    },
    createTicket: async (token, input, idempotencyKey) => {
      let replayed = false;
      const ticket = await call(
        {
          method: 'POST',
          path: '/v1/tawasul/tickets',
          op: 'createTicket',
          token,
          json: input,
          idempotencyKey: requireKey(idempotencyKey, 'createTicket'),
          onReplayed: () => (replayed = true),
        },
        TicketSchema,
      );
      return replayed ? { ...ticket, alreadyFiled: true } : ticket;
    },
    listMyTickets: (token) => call({ method: 'GET', path: '/v1/tawasul/tickets', op: 'listMyTickets', token }, TicketsPage),
    getTicket: (token, number) => call({ method: 'GET', path: `/v1/tawasul/tickets/${seg(number)}`, op: 'getTicket', token }, TicketSchema),
    listEvents: (sinceCursor, limit) => {
      const q = new URLSearchParams();
      if (sinceCursor !== undefined) q.set('since', sinceCursor);
      if (limit !== undefined) q.set('limit', String(limit));
      const qs = q.toString();
      return call({ method: 'GET', path: `/v1/events${qs ? `?${qs}` : ''}`, op: 'listEvents', apiKey: true }, EventPageSchema);
    },
    createReminderConsent: async (token, idempotencyKey) =>
      call(
        { method: 'POST', path: '/v1/me/reminder-consents', op: 'createReminderConsent', token, json: {}, idempotencyKey: requireKey(idempotencyKey, 'createReminderConsent') },
        ReminderConsentSchema,
      ),
    getReminderExpiries: (consentId) =>
      call({ method: 'GET', path: `/v1/reminder-consents/${seg(consentId)}/expiries`, op: 'getReminderExpiries', apiKey: true }, ReminderExpiriesSchema),
    revokeReminderConsent: async (consentId) => {
      await call({ method: 'DELETE', path: `/v1/reminder-consents/${seg(consentId)}`, op: 'revokeReminderConsent', apiKey: true }, z.unknown());
    },
    async ping() {
      try {
        const res = await send(`${base}/healthz`, { method: 'GET', headers: {}, signal: AbortSignal.timeout(Math.min(timeoutMs, 2000)) });
        return res.status >= 200 && res.status < 300;
      } catch {
        return false;
      }
    },
    circuitState: () => STATE_NAMES[breaker.state],
    onCircuitChange(listener) {
      const sub = breaker.onStateChange((s) => listener(STATE_NAMES[s]));
      return () => sub.dispose();
    },
  };
  return client;
}
