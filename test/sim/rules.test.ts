/**
 * Simulator rules over real HTTP: every demo case, the one-time code rules (3 wrong codes
 * lock, 5-minute expiry), Idempotency-Key on POSTs, attachment limits, lifecycle
 * transitions on the clock and the event feed, admin routes, and the OTP log rule.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { checkIdNumber } from '../../dialogs/understanding/idNumber';
import { createSimClock, createSimulator, DEMO_PEOPLE, UNREGISTERED_ID, type Simulator } from '../../sim';
import type { EligibilityFailure, RenewalEligibility } from '../../adapters/services';
import { API_KEY, OTP, START, startSim } from '../services/support';

let sim: Simulator;
let url: string;

beforeEach(async () => {
  ({ sim, url } = await startSim());
});
afterEach(() => sim.stop());

interface Res {
  status: number;
  body: Record<string, unknown> & { error?: { reason: string; field?: string; attemptsLeft?: number } };
  headers: Headers;
}
async function http(method: string, path: string, opts: { token?: string; body?: unknown; key?: string; headers?: Record<string, string>; raw?: Uint8Array } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.key) headers['idempotency-key'] = opts.key;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    body: opts.raw ? new Uint8Array(opts.raw) : opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return { status: res.status, body: (await res.json()) as Res['body'], headers: res.headers };
}
async function signIn(idNumber: string): Promise<string> {
  const ch = await http('POST', '/v1/identity/challenges', { body: { idNumber } });
  const v = await http('POST', `/v1/identity/challenges/${ch.body.challengeId as string}/verify`, { body: { code: OTP } });
  return v.body.accessToken as string;
}
async function eligibility(token: string, dependentId: string): Promise<RenewalEligibility> {
  return (await http('GET', `/v1/me/dependents/${dependentId}/iqama-renewal/eligibility`, { token })).body as unknown as RenewalEligibility;
}
const codes = (f: EligibilityFailure[]) => f.map((x) => x.code);

describe('demo data', () => {
  it('every demo ID number passes the bot’s own ID check; the unregistered one too', () => {
    const ids = DEMO_PEOPLE.flatMap((p) => [p.idNumber, ...p.dependents.map((d) => d.idNumber)]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [...ids, UNREGISTERED_ID]) expect(checkIdNumber(id)).toMatchObject({ ok: true });
    expect(checkIdNumber('1104837263')).toMatchObject({ kind: 'citizen' });
  });
});

describe('iqama renewal eligibility: every demo case', () => {
  it('Ahmed’s family: eligible, passport expired, no insurance, violations, medical exam, no national address', async () => {
    const t = await signIn('2345678904');
    const mona = await eligibility(t, 'D1001');
    expect(mona).toMatchObject({ eligible: true, failures: [] });
    expect(mona.durations.map((d) => d.months)).toEqual([3, 6, 9, 12]);
    expect(mona.durations[3]).toEqual({ months: 12, fee: 700, breakdown: { dependentFee: 600, issuanceFee: 100 } });
    expect((await eligibility(t, 'D1002')).failures).toEqual([{ code: 'passport_expired', expiryDate: '2025-02-28' }]);
    expect((await eligibility(t, 'D1003')).failures).toEqual([{ code: 'health_insurance_missing' }]);
    expect((await eligibility(t, 'D1004')).failures).toEqual([{ code: 'unpaid_violations', amount: 900, count: 2 }]);
    expect((await eligibility(t, 'D1005')).failures).toEqual([{ code: 'medical_exam_required' }]);
    const nour = await eligibility(t, 'D1006');
    expect(nour).toMatchObject({ eligible: false, durations: [], failures: [{ code: 'no_national_address' }] });
  });

  it('Mohammed’s family: two failures listed together, a renewal in progress, a married daughter eligible', async () => {
    const t = await signIn('2100398474');
    expect((await eligibility(t, 'D2001')).failures).toEqual([
      { code: 'unpaid_fees', amount: 1200 },
      { code: 'health_insurance_expired', expiryDate: '2025-02-08' },
    ]);
    expect((await eligibility(t, 'D2002')).eligible).toBe(true);
    expect((await eligibility(t, 'D2003')).failures).toEqual([{ code: 'renewal_in_progress', requestNumber: '400000102' }]);
    // Once that renewal is approved, the boy is eligible again and his iqama runs 12 months on.
    sim.advance(21 * 3600_000);
    const t2 = await signIn('2100398474');
    expect((await eligibility(t2, 'D2003')).eligible).toBe(true);
    const imran = ((await http('GET', '/v1/me/dependents', { token: t2 })).body.dependents as { id: string; iqama: { expiryDate: string } }[]).find((d) => d.id === 'D2003')!;
    expect(imran.iqama.expiryDate).toBe('2026-03-13');
  });

  it('the citizen’s children hold no iqama; Bilal has no dependents', async () => {
    const t = await signIn('1104837263');
    expect(codes((await eligibility(t, 'D3002')).failures)).toEqual(['not_iqama_holder']);
    const me = await http('GET', '/v1/me', { token: t });
    expect(me.body).toMatchObject({ kind: 'citizen', iqama: null, dependentsCount: 3 });
    const bilal = await signIn('2475512550');
    expect((await http('GET', '/v1/me/dependents', { token: bilal })).body.dependents).toEqual([]);
  });
});

describe('travel permits: under 21 and unmarried only', () => {
  it('allows Omar (15); refuses Nour (23), Zainab (married at 19) and Faisal (22)', async () => {
    const ahmed = await signIn('2345678904');
    expect((await http('POST', '/v1/travel-permits', { token: ahmed, body: { dependentId: 'D1002' } })).status).toBe(201);
    const nour = await http('POST', '/v1/travel-permits', { token: ahmed, body: { dependentId: 'D1006' } });
    expect(nour).toMatchObject({ status: 422, body: { error: { reason: 'travel_permit_over_21', field: 'dependentId' } } });
    const zainab = await http('POST', '/v1/travel-permits', { token: await signIn('2100398474'), body: { dependentId: 'D2002' } });
    expect(zainab.body.error?.reason).toBe('travel_permit_married');
    const faisal = await http('POST', '/v1/travel-permits', { token: await signIn('1104837263'), body: { dependentId: 'D3003' } });
    expect(faisal.body.error?.reason).toBe('travel_permit_over_21');
  });

  it('a permit never runs past the day before the 21st birthday', async () => {
    const t = await signIn('2345678904');
    // Omar is 15: 12 months is well inside; the cap matters for a 20-year-old (Youssef).
    const youssef = await http('POST', '/v1/travel-permits', { token: t, body: { dependentId: 'D1004', months: 12 } });
    expect(youssef.status).toBe(201);
    const deps = (await http('GET', '/v1/me/dependents', { token: t })).body.dependents as { id: string; dateOfBirth: string }[];
    const dob = deps.find((d) => d.id === 'D1004')!.dateOfBirth;
    const birthday21 = `${Number(dob.slice(0, 4)) + 21}${dob.slice(4)}`;
    expect((youssef.body.validUntil as string) < birthday21).toBe(true);
  });
});

describe('one-time codes and sessions', () => {
  it('3 wrong codes lock the challenge, even against the right code afterwards', async () => {
    const ch = await http('POST', '/v1/identity/challenges', { body: { idNumber: '2345678904' } });
    const path = `/v1/identity/challenges/${ch.body.challengeId as string}/verify`;
    expect((await http('POST', path, { body: { code: '111111' } })).body.error).toMatchObject({ reason: 'code_incorrect', field: 'code', attemptsLeft: 2 });
    expect((await http('POST', path, { body: { code: '222222' } })).body.error).toMatchObject({ attemptsLeft: 1 });
    expect(await http('POST', path, { body: { code: '333333' } })).toMatchObject({ status: 409, body: { error: { reason: 'challenge_locked' } } });
    expect((await http('POST', path, { body: { code: OTP } })).body.error?.reason).toBe('challenge_locked');
    expect(sim.created.sessions).toBe(0);
  });

  it('a code expires after 5 minutes on the clock', async () => {
    const ch = await http('POST', '/v1/identity/challenges', { body: { idNumber: '2345678904' } });
    const path = `/v1/identity/challenges/${ch.body.challengeId as string}/verify`;
    sim.advance(5 * 60_000 + 1);
    expect(await http('POST', path, { body: { code: OTP } })).toMatchObject({ status: 409, body: { error: { reason: 'challenge_expired' } } });
  });

  it('a session lasts 15 minutes; /_sim/sessions/expire ends it at once', async () => {
    const t = await signIn('2345678904');
    sim.advance(14 * 60_000);
    expect((await http('GET', '/v1/me', { token: t })).status).toBe(200);
    await http('POST', '/_sim/sessions/expire', { body: {} });
    expect(await http('GET', '/v1/me', { token: t })).toMatchObject({ status: 401, body: { error: { reason: 'session_expired' } } });
  });
});

describe('codes per ID per 15 minutes', () => {
  const ask = () => http('POST', '/v1/identity/challenges', { body: { idNumber: '2345678904' } });

  it('the 6th code within 15 minutes is refused with the wait; the window then moves on', async () => {
    for (let i = 0; i < 5; i++) expect((await ask()).status).toBe(201);
    const refused = await ask();
    expect(refused).toMatchObject({ status: 429, body: { error: { reason: 'too_many_challenges' } } });
    sim.advance(15 * 60_000);
    expect((await ask()).status).toBe(201);
  });

  it('SIM_CHALLENGES_PER_WINDOW raises the limit (the benchmark signs in hundreds of times), and old codes are forgotten', async () => {
    await sim.stop();
    ({ sim, url } = await startSim({ challengesPerWindow: 1000 }));
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      const res = await ask();
      expect(res.status).toBe(201);
      ids.push(res.body.challengeId as string);
    }
    // Well past their use, the first codes are swept (on a later request) and then unknown.
    sim.advance(2 * 3600_000);
    for (let i = 0; i < 256; i++) expect((await ask()).status).toBe(201);
    const old = await http('POST', `/v1/identity/challenges/${ids[0]}/verify`, { body: { code: OTP } });
    expect(old).toMatchObject({ status: 404 });
  });
});

describe('Idempotency-Key on every POST', () => {
  it('a repeated key returns the first result and creates nothing; another body with it is a conflict', async () => {
    const t = await signIn('2345678904');
    const body = { dependentId: 'D1001', months: 9 };
    const a = await http('POST', '/v1/iqama-renewal/bills', { token: t, body, key: 'bill-key-0001' });
    const b = await http('POST', '/v1/iqama-renewal/bills', { token: t, body, key: 'bill-key-0001' });
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(sim.created.bills).toBe(1);
    const c = await http('POST', '/v1/iqama-renewal/bills', { token: t, body: { ...body, months: 3 }, key: 'bill-key-0001' });
    expect(c).toMatchObject({ status: 409, body: { error: { reason: 'idempotency_mismatch' } } });
    // Keys are per person: Mohammed using the same key creates his own record.
    const m = await signIn('2100398474');
    expect((await http('POST', '/v1/iqama-renewal/bills', { token: m, body: { dependentId: 'D2002', months: 3 }, key: 'bill-key-0001' })).status).toBe(201);
    expect(sim.created.bills).toBe(2);
  });

  it('identity POSTs honour it too (one challenge, one session)', async () => {
    const a = await http('POST', '/v1/identity/challenges', { body: { idNumber: '2345678904' }, key: 'challenge-key-1' });
    const b = await http('POST', '/v1/identity/challenges', { body: { idNumber: '2345678904' }, key: 'challenge-key-1' });
    expect(b.body.challengeId).toBe(a.body.challengeId);
    const path = `/v1/identity/challenges/${a.body.challengeId as string}/verify`;
    const v1 = await http('POST', path, { body: { code: OTP }, key: 'verify-key-01' });
    const v2 = await http('POST', path, { body: { code: OTP }, key: 'verify-key-01' });
    expect(v2.body.accessToken).toBe(v1.body.accessToken);
    expect(sim.created).toMatchObject({ challenges: 1, sessions: 1 });
  });
});

describe('Tawasul limits', () => {
  it('attachments: 5 MB at most, PDF/JPEG/PNG only, 5 per ticket', async () => {
    const t = await signIn('2345678904');
    const upload = (bytes: Uint8Array, type: string) =>
      http('POST', '/v1/tawasul/attachments', { token: t, raw: bytes, headers: { 'content-type': type, 'x-file-name': encodeURIComponent('ملف.pdf') } });
    const big = new Uint8Array(5 * 1024 * 1024 + 1);
    big.set(new TextEncoder().encode('%PDF-'));
    expect(await upload(big, 'application/pdf')).toMatchObject({ status: 413, body: { error: { reason: 'file_too_large', field: 'file' } } });
    const exact = big.subarray(0, 5 * 1024 * 1024);
    expect((await upload(exact, 'application/pdf')).status).toBe(201);
    expect((await upload(new TextEncoder().encode('GIF89a'), 'image/gif')).body.error?.reason).toBe('file_type');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await upload(new TextEncoder().encode('%PDF-1.4'), 'application/pdf')).body.attachmentId as string);
    const ticket = (attachmentIds: string[]) =>
      http('POST', '/v1/tawasul/tickets', {
        token: t,
        body: { sectionId: 'other', transactionTypeId: 'other_transaction', fields: { subject: 'مرفقات' }, description: 'طلب مع مرفقات كثيرة.', attachmentIds },
      });
    const sixth = (await upload(new TextEncoder().encode('%PDF-1.4'), 'application/pdf')).body.attachmentId as string;
    expect((await ticket([...ids, sixth])).body.error).toMatchObject({ reason: 'too_many_attachments', field: 'attachmentIds' });
    expect((await ticket(ids)).status).toBe(201);
    expect((await ticket([ids[0]!])).body.error?.reason).toBe('attachment_used');
  });

  it('a type that needs an attachment refuses none', async () => {
    const t = await signIn('2345678904');
    const r = await http('POST', '/v1/tawasul/tickets', {
      token: t,
      body: { sectionId: 'data_correction', transactionTypeId: 'name_correction', fields: { beneficiaryIdNumber: '2345678904', correctNameEn: 'Ahmed Hasan' }, description: 'Spelling of my name.', attachmentIds: [] },
    });
    expect(r.body.error).toMatchObject({ reason: 'attachment_required', field: 'attachmentIds' });
  });
});

describe('lifecycle on the clock and the event feed', () => {
  const feed = (since?: string, key = API_KEY) => http('GET', `/v1/events${since ? `?since=${since}` : ''}`, { headers: { 'x-api-key': key } });

  it('submitted → under review after 1 h → decided after 24 h, each change in the feed with reasons in both languages', async () => {
    const t = await signIn('2100398474');
    const create = (transactionTypeId: string, sectionId: string, fields: Record<string, string>) =>
      http('POST', '/v1/tawasul/tickets', { token: t, body: { sectionId, transactionTypeId, fields, description: 'طلب تجريبي لاختبار دورة الحياة.', attachmentIds: [] } });
    const question = await create('general_question', 'general_inquiries', { topic: 'passport' });
    const foreign = await create('iqama_extension_request', 'iqama_extension', { iqamaNumber: '2422260550', months: '2' });
    const own = await create('iqama_extension_request', 'iqama_extension', { iqamaNumber: '2112307844', months: '2' });
    const dob = await create('birth_date_correction', 'data_correction', { beneficiaryIdNumber: '2476620550', correctDateOfBirth: '2016-05-01' });
    const start = await feed();
    expect(start.body).toEqual({ events: [], cursor: '0' });

    sim.advance(3600_000);
    const reviewed = await feed(start.body.cursor as string);
    const numbers = [question, foreign, own, dob].map((r) => r.body.number as string);
    expect((reviewed.body.events as { number: string; status: string }[]).map((e) => [e.number, e.status])).toEqual(numbers.map((n) => [n, 'under_review']));

    sim.advance(23 * 3600_000);
    const decided = (await feed(reviewed.body.cursor as string)).body.events as { seq: number; number: string; status: string; reason: { ar: string; en: string }; ownerIdNumber: string; at: string }[];
    // Seeded changes come first: Mohammed's renewal 400000102 approved at +21 h, Ahmed's
    // ticket 700000101 needing information at +22 h; then these four at +24 h.
    expect(decided.map((e) => [e.number, e.status])).toEqual([
      ['400000102', 'approved'],
      ['700000101', 'needs_info'],
      [numbers[0], 'resolved'],
      [numbers[1], 'rejected'],
      [numbers[2], 'approved'],
      [numbers[3], 'needs_info'],
    ]);
    expect(decided[1]!.ownerIdNumber).toBe('2345678904');
    expect(decided[3]!.reason).toEqual({ ar: 'رقم الإقامة ليس على كفالتك.', en: 'The iqama number is not under your sponsorship.' });
    expect(decided.slice(2).every((e) => e.ownerIdNumber === '2100398474')).toBe(true);
    expect(decided[2]!.at).toBe(new Date(START.getTime() + 24 * 3600_000).toISOString());
    expect(decided.map((e) => e.seq)).toEqual([5, 6, 7, 8, 9, 10]);

    const t2 = await signIn('2100398474');
    const detail = await http('GET', `/v1/tawasul/tickets/${numbers[3]}`, { token: t2 });
    expect((detail.body.history as { status: string }[]).map((h) => h.status)).toEqual(['submitted', 'under_review', 'needs_info']);
    expect(detail.body.reason).toMatchObject({ en: expect.stringContaining('attach') });
  });

  it('seeded records: a recorded one, a rejected one, a needs-information change due tomorrow', async () => {
    const ahmed = await signIn('2345678904');
    const recorded = await http('GET', '/v1/requests/400000101', { token: ahmed });
    expect(recorded.body).toMatchObject({ status: 'recorded', statusLabel: { ar: 'قيدت', en: 'Recorded' } });
    const mohammed = await signIn('2100398474');
    expect((await http('GET', '/v1/requests/700000103', { token: mohammed })).body).toMatchObject({ status: 'rejected' });
    expect((await http('GET', '/v1/requests/700000102', { token: mohammed })).body).toMatchObject({ status: 'resolved' });
    sim.advance(22 * 3600_000);
    expect((await feed('0')).body.events).toEqual(
      expect.arrayContaining([expect.objectContaining({ number: '700000101', status: 'needs_info', ownerIdNumber: '2345678904' })]),
    );
  });

  it('the feed needs the service key', async () => {
    expect(await feed(undefined, 'wrong')).toMatchObject({ status: 401, body: { error: { reason: 'invalid_api_key' } } });
  });
});

describe('admin routes and the OTP log', () => {
  it('/_sim/ routes exist only when enabled', async () => {
    const closed = createSimulator({ clock: createSimClock({ start: START, frozen: true }) });
    const { url: closedUrl } = await closed.start();
    try {
      const r = await fetch(`${closedUrl}/_sim/reset`, { method: 'POST' });
      expect(r.status).toBe(404);
    } finally {
      await closed.stop();
    }
    expect((await http('POST', '/_sim/clock/advance', { body: { ms: 60_000 } })).body.now).toBe(new Date(START.getTime() + 60_000).toISOString());
  });

  it('prints the demo code only in development', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    for (const dev of [true, false]) {
      const s = createSimulator({ otpCode: '975310', devLogOtp: dev, logger: pino(sink), clock: createSimClock({ start: START, frozen: true }) });
      const { url: u } = await s.start();
      await fetch(`${u}/v1/identity/challenges`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ idNumber: '2345678904' }) });
      await s.stop();
    }
    const sent = lines.filter((l) => l.includes('one-time code'));
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain('975310');
    expect(sent[1]).not.toMatch(/9\D?7\D?5\D?3\D?1\D?0/);
    expect(sent.join('')).not.toContain('2345678904');
  });
});
