/**
 * Fault tests against a deliberately broken server on loopback (slow, 500, garbage JSON,
 * wrong shape, connection reset): reads retry, writes are sent once and never create a
 * second record (counted on the simulator), and the circuit breaker opens and closes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { newIdempotencyKey, type CreateTicketInput, type ServicesClient } from '../../adapters/services';
import { startFaultProxy, type FaultProxy } from './faultProxy';
import { AHMED, client, failure, signIn, startSim } from './support';

let sim: Simulator;
let proxy: FaultProxy;
let direct: ServicesClient;
let token: string;

beforeEach(async () => {
  const started = await startSim();
  sim = started.sim;
  proxy = await startFaultProxy(started.url);
  direct = client(started.url);
  token = await signIn(direct, AHMED);
});
afterEach(async () => {
  await proxy.stop();
  await sim.stop();
});

const attempts = (path: string, method = 'GET') => proxy.seen.filter((s) => s.path === path && s.method === method).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ticketInput: CreateTicketInput = {
  sectionId: 'general_inquiries',
  transactionTypeId: 'general_question',
  fields: { topic: 'visas' },
  description: 'How long is a multiple exit/re-entry visa valid?',
  attachmentIds: [],
};

describe('reads retry with backoff', () => {
  it('recovers from a 500, garbage JSON and a connection reset in one call', async () => {
    const api = client(proxy.url, { retry: { retries: 3, initialDelayMs: 5, maxDelayMs: 20 } });
    proxy.plan('status500', 'garbage', 'reset');
    const me = await api.getProfile(token);
    expect(me.idNumber).toBe(AHMED);
    expect(attempts('/v1/me')).toBe(4);
  });

  it('retries a slow answer that passes the timeout', async () => {
    // Generous timeout so a loaded machine's normal answer never trips it; the slow one always does.
    const api = client(proxy.url, { timeoutMs: 1000, retry: { retries: 2, initialDelayMs: 5, maxDelayMs: 20 } });
    proxy.plan({ slowMs: 5000 });
    const deps = await api.listDependents(token);
    expect(deps).toHaveLength(6);
    expect(attempts('/v1/me/dependents')).toBe(2);
  });

  it('gives up as unavailable (never a crash or undefined) when every attempt fails', async () => {
    // A breaker that stays closed here: this test is about retries only.
    const api = client(proxy.url, { retry: { retries: 2, initialDelayMs: 5, maxDelayMs: 20 }, breaker: { consecutiveFailures: 100 } });
    proxy.plan('wrongShape', 'wrongShape', 'wrongShape');
    expect(await failure(() => api.getProfile(token))).toMatchObject({ kind: 'unavailable', reason: 'bad_response' });
    expect(attempts('/v1/me')).toBe(3);
    proxy.plan('status500', 'status500', 'status500');
    expect(await failure(() => api.getProfile(token))).toMatchObject({ kind: 'unavailable', reason: 'server_error', status: 500 });
    proxy.plan({ slowMs: 5000 }, { slowMs: 5000 }, { slowMs: 5000 });
    const slow = client(proxy.url, { timeoutMs: 300, retry: { retries: 2, initialDelayMs: 5, maxDelayMs: 20 }, breaker: { consecutiveFailures: 100 } });
    expect(await failure(() => slow.listTawasulSections())).toMatchObject({ kind: 'unavailable', reason: 'timeout' });
  });

  it('does not retry answers that are not transient (404, 401)', async () => {
    const api = client(proxy.url, { retry: { retries: 3, initialDelayMs: 5, maxDelayMs: 20 } });
    expect(await failure(() => api.getRequestStatus(token, '400009999'))).toMatchObject({ kind: 'not_found' });
    expect(attempts('/v1/requests/400009999')).toBe(1);
  });
});

describe('writes never create a second record', () => {
  it('answer lost after the record was made: one POST, and the retry with the same key returns the same ticket', async () => {
    const api = client(proxy.url);
    const key = newIdempotencyKey();
    proxy.plan('forwardThenReset');
    expect(await failure(() => api.createTicket(token, ticketInput, key))).toMatchObject({ kind: 'unavailable', reason: 'network' });
    expect(attempts('/v1/tawasul/tickets', 'POST')).toBe(1);
    expect(sim.created.tickets).toBe(1);

    const ticket = await api.createTicket(token, ticketInput, key);
    expect(sim.created.tickets).toBe(1);
    expect(sim.http.idempotentReplays).toBe(1);
    const mine = await direct.listMyTickets(token);
    expect(mine.filter((t) => t.number === ticket.number)).toHaveLength(1);
    expect(mine).toHaveLength(2); // the seeded one and this one
  });

  it('timed-out write (slow answer): sent once; the retry with the same key creates nothing new', async () => {
    const api = client(proxy.url, { timeoutMs: 1000 });
    const key = newIdempotencyKey();
    proxy.plan({ slowMs: 5000, forward: true });
    expect(await failure(() => api.issueTravelPermit(token, { dependentId: 'D1002' }, key))).toMatchObject({
      kind: 'unavailable',
      reason: 'timeout',
    });
    expect(attempts('/v1/travel-permits', 'POST')).toBe(1);
    expect(sim.created.travelPermits).toBe(1);
    const permit = await api.issueTravelPermit(token, { dependentId: 'D1002' }, key);
    expect(permit.status).toBe('active');
    expect(sim.created.travelPermits).toBe(1);
    expect((await direct.listTravelPermits(token)).filter((p) => p.dependentId === 'D1002')).toHaveLength(1);
  });

  it('a 500 on a write is not retried automatically', async () => {
    const api = client(proxy.url, { retry: { retries: 3, initialDelayMs: 5, maxDelayMs: 20 } });
    proxy.plan('status500');
    const bill = { dependentId: 'D1001', months: 3 };
    expect(await failure(() => api.createRenewalBill(token, bill, newIdempotencyKey()))).toMatchObject({ kind: 'unavailable' });
    expect(attempts('/v1/iqama-renewal/bills', 'POST')).toBe(1);
    expect(sim.created.bills).toBe(0);
  });

  it('uploads: a lost answer and a retry store one attachment', async () => {
    const api = client(proxy.url);
    const key = newIdempotencyKey();
    const file = { fileName: 'passport.pdf', contentType: 'application/pdf' as const, bytes: new TextEncoder().encode('%PDF-1.7 demo') };
    proxy.plan('forwardThenReset');
    await failure(() => api.uploadAttachment(token, file, key));
    const a = await api.uploadAttachment(token, file, key);
    expect(a.attachmentId).toBe('att_000001');
    expect(sim.created.attachments).toBe(1);
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, fails fast without calling the server, and closes after a good probe', async () => {
    const api = client(proxy.url, { retry: { retries: 0 }, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 200 } });
    const changes: string[] = [];
    api.onCircuitChange((s) => changes.push(s));
    proxy.plan('status500', 'reset', 'garbage');
    for (let i = 0; i < 3; i++) await failure(() => api.getProfile(token));
    expect(api.circuitState()).toBe('open');
    const before = proxy.seen.length;
    expect(await failure(() => api.getProfile(token))).toMatchObject({ kind: 'unavailable', reason: 'circuit_open' });
    expect(await failure(() => api.createTicket(token, ticketInput, newIdempotencyKey()))).toMatchObject({ reason: 'circuit_open' });
    expect(proxy.seen.length).toBe(before);

    await sleep(300);
    proxy.plan('status503');
    expect(await failure(() => api.getProfile(token))).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(api.circuitState()).toBe('open'); // a failed probe opens it again

    await sleep(300);
    expect((await api.getProfile(token)).idNumber).toBe(AHMED);
    expect(api.circuitState()).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });

  it('answers that are the caller’s fault (404, 422, 401) never open it', async () => {
    const api = client(proxy.url, { retry: { retries: 0 }, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } });
    for (let i = 0; i < 3; i++) await failure(() => api.getRequestStatus(token, '400009999'));
    for (let i = 0; i < 3; i++) await failure(() => api.getProfile('at_wrong-token-for-sure'));
    await failure(() => api.createRenewalBill(token, { dependentId: 'D1002', months: 3 }, newIdempotencyKey()));
    expect(api.circuitState()).toBe('closed');
  });
});
