/**
 * The simulator over real HTTP (node:http): routing, bearer and API-key auth, JSON bodies,
 * attachment uploads, the Idempotency-Key rule for every POST, the contract's error body,
 * and the test-only /_sim/ admin routes.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ATTACHMENT_CONTENT_TYPES, MAX_ATTACHMENT_BYTES, type AttachmentContentType, type ErrorBody } from '../adapters/services/types';
import { SimError, invalid } from './errors';
import { TAWASUL_SECTIONS } from './catalog';
import type { SimStore } from './store';
import { buildOpenApi } from './openapi';
import { SimReminderConsents } from './reminderConsents';

export interface ServerOptions {
  store: SimStore;
  apiKey: string;
  admin: boolean;
  logger?: Logger;
  devLogOtp: boolean;
}

type Auth = 'none' | 'bearer' | 'apiKey' | 'admin';
interface Ctx {
  params: Record<string, string>;
  query: URLSearchParams;
  owner: string;
  body: Buffer;
  headers: IncomingMessage['headers'];
}
type Handler = (ctx: Ctx) => { status?: number; body: unknown };
interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  regex: RegExp;
  auth: Auth;
  handler: Handler;
  raw?: boolean;
}

const MAX_JSON_BYTES = 64 * 1024;
/** Bodies larger than this are not even drained: the connection is closed. */
const MAX_DRAIN_BYTES = 4 * MAX_ATTACHMENT_BYTES;

/** Counts seen by the HTTP layer (tests assert no second record was created). */
export interface HttpCounters {
  requests: number;
  posts: number;
  idempotentReplays: number;
}

export function createRequestListener(options: ServerOptions) {
  const { store, logger } = options;
  const counters: HttpCounters = { requests: 0, posts: 0, idempotentReplays: 0 };
  const idempotency = new Map<string, { fingerprint: string; status: number; body: string }>();
  const routes: Route[] = [];
  const route = (method: Route['method'], path: string, auth: Auth, handler: Handler, raw = false) => {
    const regex = new RegExp('^' + path.replace(/:(\w+)/g, '(?<$1>[^/]+)') + '$');
    routes.push({ method, path, regex, auth, handler, raw });
  };
  const json = <T>(schema: z.ZodType<T>, body: Buffer): T => {
    let data: unknown;
    try {
      data = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      throw invalid('body', 'the body is not JSON', 'invalid_json');
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalid(issue.path.join('.') || 'body', issue.message);
    }
    return parsed.data;
  };

  // --- public
  route('GET', '/healthz', 'none', () => ({ body: { ok: true } }));
  route('GET', '/openapi.json', 'none', () => ({ body: buildOpenApi() }));
  route('GET', '/v1/tawasul/sections', 'none', () => ({ body: { sections: TAWASUL_SECTIONS } }));

  // --- identity
  route('POST', '/v1/identity/challenges', 'none', (c) => {
    const { idNumber } = json(z.object({ idNumber: z.string() }), c.body);
    const { otp, ...result } = store.startVerification(idNumber.replace(/\s/g, ''));
    if (options.devLogOtp) logger?.info({ challengeId: result.challengeId }, `sim: demo one-time code ${otp} sent to ${result.maskedMobile}`);
    else logger?.info({ challengeId: result.challengeId }, `sim: one-time code sent to ${result.maskedMobile}`);
    return { status: 201, body: result };
  });
  route('POST', '/v1/identity/challenges/:challengeId/verify', 'none', (c) => {
    const { code } = json(z.object({ code: z.string() }), c.body);
    return { body: store.verifyCode(c.params.challengeId!, code.trim()) };
  });

  // --- the signed-in person
  route('GET', '/v1/me', 'bearer', (c) => ({ body: store.getProfile(c.owner) }));
  route('GET', '/v1/me/dependents', 'bearer', (c) => ({ body: { dependents: store.listDependents(c.owner) } }));

  // --- iqama renewal
  route('GET', '/v1/me/dependents/:dependentId/iqama-renewal/eligibility', 'bearer', (c) => ({
    body: store.getRenewalEligibility(c.owner, c.params.dependentId!),
  }));
  route('POST', '/v1/iqama-renewal/bills', 'bearer', (c) => {
    const input = json(z.object({ dependentId: z.string().min(1), months: z.number().int() }), c.body);
    return { status: 201, body: store.createRenewalBill(c.owner, input) };
  });
  route('GET', '/v1/iqama-renewal/bills/:billNumber', 'bearer', (c) => ({ body: store.getBill(c.owner, c.params.billNumber!) }));
  route('POST', '/v1/iqama-renewal/requests', 'bearer', (c) => {
    const input = json(z.object({ billNumber: z.string().min(1) }), c.body);
    return { status: 201, body: store.submitRenewal(c.owner, input.billNumber) };
  });

  // --- status
  route('GET', '/v1/requests', 'bearer', (c) => ({ body: { requests: store.listMyRequests(c.owner) } }));
  route('GET', '/v1/requests/:number', 'bearer', (c) => ({ body: store.getRequestStatus(c.owner, c.params.number!) }));

  // --- visas, permits, passport
  route('GET', '/v1/exit-reentry-visas', 'bearer', (c) => ({ body: { visas: store.listExitReentryVisas(c.owner) } }));
  route('GET', '/v1/travel-permits', 'bearer', (c) => ({ body: { permits: store.listTravelPermits(c.owner) } }));
  route('POST', '/v1/travel-permits', 'bearer', (c) => {
    const input = json(z.object({ dependentId: z.string().min(1), months: z.number().int().optional() }), c.body);
    return { status: 201, body: store.issueTravelPermit(c.owner, input) };
  });
  route('POST', '/v1/travel-permits/:permitNumber/cancel', 'bearer', (c) => ({
    body: store.cancelTravelPermit(c.owner, c.params.permitNumber!),
  }));
  route('POST', '/v1/me/passport', 'bearer', (c) => {
    const input = json(
      z.object({
        dependentId: z.string().min(1).optional(),
        passportNumber: z.string(),
        issueDate: z.string(),
        expiryDate: z.string(),
        issuingCountry: z.string().optional(),
      }),
      c.body,
    );
    return { status: 201, body: store.updatePassportInfo(c.owner, input) };
  });

  // --- Tawasul
  route(
    'POST',
    '/v1/tawasul/attachments',
    'bearer',
    (c) => {
      const contentType = String(c.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!(ATTACHMENT_CONTENT_TYPES as readonly string[]).includes(contentType)) {
        throw invalid('contentType', 'PDF, JPEG or PNG only', 'file_type');
      }
      if (c.body.length === 0) throw invalid('file', 'the file is empty', 'file_empty');
      if (!magicMatches(contentType as AttachmentContentType, c.body)) {
        throw invalid('file', 'the file content does not match its type', 'file_type');
      }
      let fileName = '';
      try {
        fileName = decodeURIComponent(String(c.headers['x-file-name'] ?? '')).trim();
      } catch {
        throw invalid('fileName', 'X-File-Name must be URI-encoded');
      }
      if (!fileName || fileName.length > 200 || /[\\/\u0000-\u001f]/.test(fileName)) throw invalid('fileName', 'a plain file name');
      return { status: 201, body: store.uploadAttachment(c.owner, fileName, contentType as AttachmentContentType, c.body.length) };
    },
    true,
  );
  route('POST', '/v1/tawasul/tickets', 'bearer', (c) => {
    const input = json(
      z.object({
        sectionId: z.string(),
        transactionTypeId: z.string(),
        fields: z.record(z.string(), z.string()),
        description: z.string(),
        attachmentIds: z.array(z.string()),
      }),
      c.body,
    );
    return { status: 201, body: store.createTicket(c.owner, input) };
  });
  route('GET', '/v1/tawasul/tickets', 'bearer', (c) => ({ body: { tickets: store.listMyTickets(c.owner) } }));
  route('GET', '/v1/tawasul/tickets/:number', 'bearer', (c) => ({ body: store.getTicket(c.owner, c.params.number!) }));

  // --- events (service key)
  route('GET', '/v1/events', 'apiKey', (c) => {
    const limitText = c.query.get('limit');
    const limit = limitText === null ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw invalid('limit', '1 to 500');
    return { body: store.listEvents(c.query.get('since') ?? undefined, limit) };
  });

  // --- reminder consents: created with the person's token, read and revoked with the service key
  const consents = new SimReminderConsents(store);
  route('POST', '/v1/me/reminder-consents', 'bearer', (c) => ({ status: 201, body: consents.create(c.owner) }));
  route('GET', '/v1/reminder-consents/:consentId/expiries', 'apiKey', (c) => ({ body: consents.expiries(c.params.consentId!) }));
  route('DELETE', '/v1/reminder-consents/:consentId', 'apiKey', (c) => ({ body: consents.revoke(c.params.consentId!) }));

  // --- admin (tests, npm run sim in development)
  route('POST', '/_sim/clock/advance', 'admin', (c) => {
    const { ms } = json(z.object({ ms: z.number().int().nonnegative() }), c.body);
    store.clock.advance(ms);
    store.tick();
    return { body: { now: new Date(store.clock.now()).toISOString() } };
  });
  /** A fresh simulator: records, remembered Idempotency-Keys and counters. */
  const reset = () => {
    store.reset();
    consents.clear();
    idempotency.clear();
    counters.requests = counters.posts = counters.idempotentReplays = 0;
  };
  route('POST', '/_sim/reset', 'admin', () => {
    reset();
    return { body: { ok: true } };
  });
  route('POST', '/_sim/bills/:billNumber/pay', 'admin', (c) => ({ body: store.payBill(c.params.billNumber!) }));
  route('POST', '/_sim/sessions/expire', 'admin', () => ({ body: { expired: store.expireSessions() } }));
  route('GET', '/_sim/stats', 'admin', () => ({ body: { created: store.counters, http: counters } }));

  const send = (res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...extra });
    res.end(body);
  };
  const errorBody = (e: SimError): string => {
    const body: ErrorBody = { error: { reason: e.reason, message: e.message, ...e.extra } };
    return JSON.stringify(body);
  };

  const listener = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    counters.requests++;
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const method = req.method ?? 'GET';
    try {
      const matching = routes.filter((r) => r.regex.test(url.pathname));
      const r = matching.find((x) => x.method === method);
      if (!r || (r.auth === 'admin' && !options.admin)) {
        if (matching.length && !(matching[0]!.auth === 'admin' && !options.admin)) {
          throw new SimError(405, 'method_not_allowed', `use ${matching.map((m) => m.method).join(', ')}`);
        }
        throw new SimError(404, 'not_found', 'no such route');
      }
      const params = (url.pathname.match(r.regex)?.groups ?? {}) as Record<string, string>;
      for (const k of Object.keys(params)) params[k] = decodeURIComponent(params[k]!);
      const body = method === 'POST' ? await readBody(req, r.raw ? MAX_ATTACHMENT_BYTES : MAX_JSON_BYTES, r.raw ? 'file' : 'body') : Buffer.alloc(0);
      store.tick();
      let owner = '';
      if (r.auth === 'bearer') {
        const header = String(req.headers.authorization ?? '');
        owner = store.authenticate(header.startsWith('Bearer ') ? header.slice(7).trim() : undefined);
      } else if (r.auth === 'apiKey') {
        if (req.headers['x-api-key'] !== options.apiKey) throw new SimError(401, 'invalid_api_key', 'a valid X-Api-Key is required');
      }

      // Idempotency-Key: the first successful result is stored and replayed; nothing new is created.
      const key = method === 'POST' ? req.headers['idempotency-key'] : undefined;
      let slot: string | undefined;
      let fingerprint = '';
      if (typeof key === 'string' && r.auth !== 'admin') {
        if (key.length < 8 || key.length > 200) throw invalid('Idempotency-Key', '8 to 200 characters');
        counters.posts++;
        slot = `${owner || 'anon'} ${url.pathname} ${key}`;
        fingerprint = createHash('sha256').update(String(req.headers['content-type'] ?? '')).update(body).digest('hex');
        const seen = idempotency.get(slot);
        if (seen) {
          if (seen.fingerprint !== fingerprint) {
            throw new SimError(409, 'idempotency_mismatch', 'this Idempotency-Key was used with a different request');
          }
          counters.idempotentReplays++;
          send(res, seen.status, seen.body, { 'idempotent-replayed': 'true' });
          return;
        }
      } else if (method === 'POST' && r.auth !== 'admin') {
        counters.posts++;
      }

      const result = r.handler({ params, query: url.searchParams, owner, body, headers: req.headers });
      const status = result.status ?? 200;
      const text = JSON.stringify(result.body);
      if (slot) idempotency.set(slot, { fingerprint, status, body: text });
      send(res, status, text);
    } catch (e) {
      if (e instanceof SimError) {
        send(res, e.status, errorBody(e), e.extra.retryAfterSeconds ? { 'retry-after': String(e.extra.retryAfterSeconds) } : {});
        if (e.status === 413 && !req.complete) req.destroy();
        return;
      }
      logger?.error({ err: e }, 'sim: unexpected error');
      send(res, 500, errorBody(new SimError(500, 'server_error', 'unexpected error')));
    }
  };
  return { listener, counters, reset };
}

/** Reads the whole body; over the limit → 413 after draining (so the client reads the answer). */
function readBody(req: IncomingMessage, limit: number, field: 'file' | 'body'): Promise<Buffer> {
  const tooLargeError = () =>
    new SimError(413, field === 'file' ? 'file_too_large' : 'body_too_large', `at most ${limit} bytes`, { field });
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > limit;
    if (declared > MAX_DRAIN_BYTES) {
      reject(tooLargeError());
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (size > MAX_DRAIN_BYTES) {
        req.destroy();
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(tooLargeError());
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** The file's first bytes must match its declared type. */
function magicMatches(type: AttachmentContentType, bytes: Buffer): boolean {
  switch (type) {
    case 'application/pdf':
      return bytes.subarray(0, 5).toString('latin1') === '%PDF-';
    case 'image/jpeg':
      return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
    case 'image/png':
      return bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  }
}
