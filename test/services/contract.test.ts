/**
 * Contract tests: every adapter function against the simulator over real HTTP on loopback,
 * responses validated by the adapter's zod schemas, errors mapped to the taxonomy.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { newIdempotencyKey, ServiceError, type ServicesClient } from '../../adapters/services';
import { ABDULLAH, AHMED, BILAL, JPEG, MOHAMMED, OTP, PDF, PNG, START, client, failure, signIn, startSim } from './support';

let sim: Simulator;
let url: string;
let api: ServicesClient;

// A fresh simulator per test: "today" is 2025-03-10 (Riyadh) in every test.
beforeEach(async () => {
  ({ sim, url } = await startSim());
  api = client(url);
});
afterEach(() => sim.stop());

const admin = (path: string, body: unknown = {}) =>
  fetch(`${url}/_sim/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());

describe('identity', () => {
  it('sends a code to the masked mobile and exchanges it for a token', async () => {
    const ch = await api.startVerification(AHMED);
    expect(ch.maskedMobile).toBe('05******12');
    expect(ch.attemptsLeft).toBe(3);
    expect(Date.parse(ch.expiresAt) - START.getTime()).toBe(5 * 60_000);
    const v = await api.verifyCode(ch.challengeId, OTP);
    expect(v.person).toEqual({ idNumber: AHMED, kind: 'resident', name: { ar: 'أحمد حسن عبدالرحمن', en: 'Ahmed Hassan Abdelrahman' } });
    expect(Date.parse(v.expiresAt) - START.getTime()).toBe(15 * 60_000);
  });

  it('maps wrong codes, locks, bad and unknown IDs and too many codes to the taxonomy', async () => {
    const ch = await api.startVerification(AHMED);
    const wrong = await failure(() => api.verifyCode(ch.challengeId, '000000'));
    expect(wrong).toMatchObject({ kind: 'validation', field: 'code', reason: 'code_incorrect', attemptsLeft: 2 });
    await failure(() => api.verifyCode(ch.challengeId, '000001'));
    expect(await failure(() => api.verifyCode(ch.challengeId, '000002'))).toMatchObject({ kind: 'conflict', reason: 'challenge_locked' });
    expect(await failure(() => api.verifyCode(ch.challengeId, OTP))).toMatchObject({ kind: 'conflict', reason: 'challenge_locked' });

    expect(await failure(() => api.startVerification('2345678905'))).toMatchObject({ kind: 'validation', field: 'idNumber' });
    expect(await failure(() => api.startVerification('2456781554'))).toMatchObject({ kind: 'not_found', reason: 'not_registered' });
    for (let i = 0; i < 4; i++) await api.startVerification(AHMED);
    const limited = await failure(() => api.startVerification(AHMED));
    expect(limited).toMatchObject({ kind: 'rate_limited', reason: 'too_many_challenges' });
    expect(limited.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('rejects a missing token and an expired session with unauthorized', async () => {
    expect(await failure(() => api.getProfile('at_not-a-real-token-at-all'))).toMatchObject({ kind: 'unauthorized', reason: 'invalid_token' });
    const token = await signIn(api, AHMED);
    sim.advance(15 * 60_000);
    const e = await failure(() => api.getProfile(token));
    expect(e).toBeInstanceOf(ServiceError);
    expect(e).toMatchObject({ kind: 'unauthorized', reason: 'session_expired', status: 401 });
  });
});

describe('the signed-in person and dependents', () => {
  it('returns the profile and every dependent with documents, fees and violations', async () => {
    const token = await signIn(api, AHMED);
    const me = await api.getProfile(token);
    expect(me).toMatchObject({ idNumber: AHMED, kind: 'resident', maskedMobile: '05******12', dependentsCount: 6 });
    expect(me.iqama?.status).toBe('valid');
    const deps = await api.listDependents(token);
    expect(deps.map((d) => d.id)).toEqual(['D1001', 'D1002', 'D1003', 'D1004', 'D1005', 'D1006']);
    const omar = deps.find((d) => d.id === 'D1002')!;
    expect(omar).toMatchObject({ relationship: 'son', relationshipLabel: { ar: 'ابن', en: 'Son' }, age: 15, maritalStatus: 'single' });
    expect(omar.passport.status).toBe('expired');
    expect(deps.find((d) => d.id === 'D1003')!.healthInsurance).toEqual({ status: 'missing', expiryDate: null, provider: null });
    expect(deps.find((d) => d.id === 'D1004')!.violations).toEqual({ count: 2, amount: 900 });
    expect(deps.find((d) => d.id === 'D1005')!.medicalExamRequired).toBe(true);
    expect(deps.find((d) => d.id === 'D1006')!.nationalAddressRegistered).toBe(false);
    expect(await api.listDependents(await signIn(api, BILAL))).toEqual([]);
  });
});

describe('iqama renewal', () => {
  it('eligibility → bill → (unpaid refused) → paid → request → status → approved on the clock', async () => {
    const token = await signIn(api, AHMED);
    const el = await api.getRenewalEligibility(token, 'D1001');
    expect(el.eligible).toBe(true);
    expect(el.durations.map((d) => [d.months, d.fee])).toEqual([[3, 250], [6, 400], [9, 550], [12, 700]]);

    const key = newIdempotencyKey();
    const bill = await api.createRenewalBill(token, { dependentId: 'D1001', months: 6 }, key);
    expect(bill).toMatchObject({ amount: 400, status: 'unpaid', billerCode: '009', months: 6, dependentId: 'D1001', dueDate: '2025-03-13' });
    expect(await api.createRenewalBill(token, { dependentId: 'D1001', months: 6 }, key)).toEqual(bill);
    expect(sim.created.bills).toBe(1);
    expect(await api.getBill(token, bill.billNumber)).toEqual(bill);

    const submitKey = newIdempotencyKey();
    expect(await failure(() => api.submitRenewal(token, { billNumber: bill.billNumber }, submitKey))).toMatchObject({
      kind: 'conflict',
      reason: 'bill_unpaid',
      field: 'billNumber',
    });
    await admin(`bills/${bill.billNumber}/pay`);
    expect((await api.getBill(token, bill.billNumber)).status).toBe('paid');
    // The same key after the refusal still works: only successes are remembered.
    const req = await api.submitRenewal(token, { billNumber: bill.billNumber }, submitKey);
    expect(req).toMatchObject({ kind: 'iqama_renewal', status: 'submitted', statusLabel: { ar: 'تم تقديم الطلب', en: 'Submitted' } });
    expect(await api.submitRenewal(token, { billNumber: bill.billNumber }, submitKey)).toEqual(req);
    expect(sim.created.renewalRequests).toBe(1);
    expect(await failure(() => api.submitRenewal(token, { billNumber: bill.billNumber }, newIdempotencyKey()))).toMatchObject({
      kind: 'conflict',
      reason: 'bill_used',
    });
    expect((await api.getRenewalEligibility(token, 'D1001')).failures).toEqual([{ code: 'renewal_in_progress', requestNumber: req.requestNumber }]);

    sim.advance(24 * 3600_000);
    const again = await signIn(api, AHMED);
    const status = await api.getRequestStatus(again, req.requestNumber);
    expect(status.history.map((h) => h.status)).toEqual(['submitted', 'under_review', 'approved']);
    expect(status.beneficiary.idNumber).toBe('2451187625');
    expect((await api.listDependents(again)).find((d) => d.id === 'D1001')!.iqama?.expiryDate).toBe('2025-09-30');
    const mine = await api.listMyRequests(again);
    expect(mine[0]!.number).toBe(req.requestNumber);
  });

  it('refuses a bill for an ineligible dependent or a duration not offered, naming the field', async () => {
    const token = await signIn(api, AHMED);
    expect(await failure(() => api.createRenewalBill(token, { dependentId: 'D1002', months: 6 }, newIdempotencyKey()))).toMatchObject({
      kind: 'validation',
      field: 'dependentId',
      reason: 'not_eligible',
    });
    expect(await failure(() => api.createRenewalBill(token, { dependentId: 'D1001', months: 5 }, newIdempotencyKey()))).toMatchObject({
      kind: 'validation',
      field: 'months',
    });
    expect(await failure(() => api.getRenewalEligibility(token, 'D2001'))).toMatchObject({ kind: 'not_found' });
    expect(await failure(() => api.getBill(token, '3999999999'))).toMatchObject({ kind: 'not_found' });
  });
});

describe('status lookups', () => {
  it('finds seeded requests and tickets, including a recorded one, and hides other people’s', async () => {
    const token = await signIn(api, AHMED);
    const recorded = await api.getRequestStatus(token, '400000101');
    expect(recorded).toMatchObject({ kind: 'passport_update', status: 'recorded', statusLabel: { ar: 'قيدت', en: 'Recorded' } });
    const ticket = await api.getRequestStatus(token, '700000101');
    expect(ticket).toMatchObject({ kind: 'tawasul', status: 'under_review' });
    expect(await failure(() => api.getRequestStatus(token, '400000102'))).toMatchObject({ kind: 'not_found', status: 404 });
  });
});

describe('visas, travel permits and passport details', () => {
  it('lists exit/re-entry visas with validity', async () => {
    const visas = await api.listExitReentryVisas(await signIn(api, AHMED));
    expect(visas.map((v) => [v.holder.idNumber, v.type, v.status])).toEqual([
      [AHMED, 'multiple', 'valid'],
      ['2519043364', 'single', 'expired'],
    ]);
  });

  it('issues and cancels travel permits; refuses over 21 and married', async () => {
    const token = await signIn(api, ABDULLAH);
    expect((await api.listTravelPermits(token)).map((p) => [p.dependentId, p.status])).toEqual([['D3001', 'active']]);
    const key = newIdempotencyKey();
    const permit = await api.issueTravelPermit(token, { dependentId: 'D3002', months: 6 }, key);
    expect(permit).toMatchObject({ dependentId: 'D3002', status: 'active', validUntil: '2025-09-10' });
    expect(await api.issueTravelPermit(token, { dependentId: 'D3002', months: 6 }, key)).toEqual(permit);
    expect(await failure(() => api.issueTravelPermit(token, { dependentId: 'D3002' }, newIdempotencyKey()))).toMatchObject({
      kind: 'conflict',
      reason: 'permit_active',
    });
    expect(await failure(() => api.issueTravelPermit(token, { dependentId: 'D3003' }, newIdempotencyKey()))).toMatchObject({
      kind: 'validation',
      reason: 'travel_permit_over_21',
      field: 'dependentId',
    });
    const cancelled = await api.cancelTravelPermit(token, permit.permitNumber, newIdempotencyKey());
    expect(cancelled.status).toBe('cancelled');
    expect((await api.getRequestStatus(token, permit.permitNumber)).history.map((h) => h.status)).toEqual(['approved', 'cancelled']);
    const married = await failure(async () => api.issueTravelPermit(await signIn(api, MOHAMMED), { dependentId: 'D2002' }, newIdempotencyKey()));
    expect(married).toMatchObject({ kind: 'validation', reason: 'travel_permit_married' });
  });

  it('records a renewed passport at once, which clears passport_expired', async () => {
    const token = await signIn(api, AHMED);
    expect((await api.getRenewalEligibility(token, 'D1002')).failures).toEqual([{ code: 'passport_expired', expiryDate: '2025-02-28' }]);
    const r = await api.updatePassportInfo(
      token,
      { dependentId: 'D1002', passportNumber: 'a40017722', issueDate: '2025-03-01', expiryDate: '2032-02-29' },
      newIdempotencyKey(),
    );
    expect(r).toMatchObject({ status: 'recorded', passport: { number: 'A40017722', status: 'valid', expiryDate: '2032-02-29' } });
    expect((await api.getRenewalEligibility(token, 'D1002')).eligible).toBe(true);
    expect(
      await failure(() => api.updatePassportInfo(token, { passportNumber: 'A50000001', issueDate: '2025-03-01', expiryDate: '2024-01-01' }, newIdempotencyKey())),
    ).toMatchObject({ kind: 'validation', field: 'expiryDate' });
    expect(
      await failure(() => api.updatePassportInfo(token, { passportNumber: 'A50000001', issueDate: '2025-03-01', expiryDate: '2032-01-01', issuingCountry: ' ' }, newIdempotencyKey())),
    ).toMatchObject({ kind: 'validation', field: 'issuingCountry' });
    expect(
      await failure(async () =>
        api.updatePassportInfo(await signIn(api, ABDULLAH), { passportNumber: 'S1000001', issueDate: '2025-03-01', expiryDate: '2030-03-01' }, newIdempotencyKey()),
      ),
    ).toMatchObject({ kind: 'conflict', reason: 'not_resident' });
  });
});

describe('Tawasul', () => {
  it('lists sections with bilingual labels and field specs', async () => {
    const sections = await api.listTawasulSections();
    expect(sections.map((s) => s.id)).toEqual(['data_correction', 'general_inquiries', 'iqama_extension', 'passport_renewal', 'other']);
    const extension = sections[2]!.transactionTypes[0]!;
    expect(extension.fields.map((f) => [f.name, f.type])).toEqual([['iqamaNumber', 'idNumber'], ['months', 'number']]);
  });

  it('uploads attachments, creates a ticket once per key, lists and shows it with history', async () => {
    const token = await signIn(api, AHMED);
    const a1 = await api.uploadAttachment(token, { fileName: 'جواز ليلى.pdf', contentType: 'application/pdf', bytes: PDF }, newIdempotencyKey());
    expect(a1).toMatchObject({ fileName: 'جواز ليلى.pdf', contentType: 'application/pdf', size: PDF.length });
    const a2 = await api.uploadAttachment(token, { fileName: 'photo.png', contentType: 'image/png', bytes: PNG }, newIdempotencyKey());
    expect(
      await failure(() => api.uploadAttachment(token, { fileName: 'x.jpg', contentType: 'image/jpeg', bytes: PDF }, newIdempotencyKey())),
    ).toMatchObject({ kind: 'validation', reason: 'file_type' });
    await api.uploadAttachment(token, { fileName: 'ok.jpg', contentType: 'image/jpeg', bytes: JPEG }, newIdempotencyKey());

    const key = newIdempotencyKey();
    const input = {
      sectionId: 'data_correction',
      transactionTypeId: 'name_correction',
      fields: { beneficiaryIdNumber: '2234055172', correctNameEn: 'Layla Ahmed Hassan' },
      description: 'الاسم الإنجليزي لابنتي مكتوب بشكل مختلف عن الجواز.',
      attachmentIds: [a1.attachmentId, a2.attachmentId],
    };
    const ticket = await api.createTicket(token, input, key);
    expect(ticket).toMatchObject({ status: 'submitted', sectionLabel: { ar: 'تصحيح البيانات', en: 'Data correction' }, attachments: [a1, a2] });
    expect(await api.createTicket(token, input, key)).toEqual({ ...ticket, alreadyFiled: true });
    expect(sim.created.tickets).toBe(1);

    expect((await api.listMyTickets(token)).map((t) => t.number)).toEqual([ticket.number, '700000101']);
    sim.advance(24 * 3600_000);
    const fresh = await signIn(api, AHMED);
    const shown = await api.getTicket(fresh, ticket.number);
    expect(shown.history.map((h) => h.status)).toEqual(['submitted', 'under_review', 'approved']);
    expect(shown.reason?.ar).toBeTruthy();
    expect(await failure(() => api.getTicket(fresh, '700000102'))).toMatchObject({ kind: 'not_found' });
  });

  it('names the field of an invalid ticket', async () => {
    const token = await signIn(api, AHMED);
    const base = { sectionId: 'iqama_extension', transactionTypeId: 'iqama_extension_request', description: 'أرجو تمديد الإقامة لظرف طارئ.', attachmentIds: [] };
    expect(await failure(() => api.createTicket(token, { ...base, fields: { iqamaNumber: '2451187625', months: '13' } }, newIdempotencyKey()))).toMatchObject({
      kind: 'validation',
      field: 'months',
    });
    expect(await failure(() => api.createTicket(token, { ...base, fields: { iqamaNumber: '2451187626', months: '3' } }, newIdempotencyKey()))).toMatchObject({
      kind: 'validation',
      field: 'iqamaNumber',
    });
    expect(await failure(() => api.createTicket(token, { ...base, fields: { months: '3' } }, newIdempotencyKey()))).toMatchObject({
      kind: 'validation',
      field: 'iqamaNumber',
      reason: 'required',
    });
    expect(sim.created.tickets).toBe(0);
  });
});

describe('event feed and health', () => {
  it('pages status changes with the service key; refuses a wrong key', async () => {
    const first = await api.listEvents();
    expect(first.events).toEqual([]);
    sim.advance(22 * 3600_000);
    const page = await api.listEvents(first.cursor, 1);
    expect(page.events).toHaveLength(1);
    expect(page.events[0]).toMatchObject({ kind: 'request', requestKind: 'iqama_renewal', number: '400000102', status: 'approved', ownerIdNumber: MOHAMMED });
    const rest = await api.listEvents(page.cursor);
    expect(rest.events.map((e) => [e.number, e.status])).toEqual([['700000101', 'needs_info']]);
    expect((await api.listEvents(rest.cursor)).events).toEqual([]);
    const wrongKey = client(url, { apiKey: 'nope' });
    expect(await failure(() => wrongKey.listEvents())).toMatchObject({ kind: 'unauthorized', reason: 'invalid_api_key' });
  });

  it('ping answers true when the API is up and false when nothing listens', async () => {
    expect(await api.ping()).toBe(true);
    const { sim: other, url: otherUrl } = await startSim();
    await other.stop();
    expect(await client(otherUrl).ping()).toBe(false);
  });

  it('the OpenAPI document covers every adapter operation', async () => {
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.openapi).toBe('3.1.0');
    const ids = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    const methods = Object.keys(api).filter((k) => !['ping', 'circuitState', 'onCircuitChange'].includes(k));
    expect(methods.length).toBe(24);
    for (const m of methods) expect(ids).toContain(m);
  });
});
