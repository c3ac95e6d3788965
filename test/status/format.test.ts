import { describe, expect, it } from 'vitest';
import { createTranslator } from '../../bot/i18n';
import { explainStatus, formatDependents, formatMyIqama, formatRequest, formatVisas } from '../../dialogs/status/format';
import { checkRequestNumber, detectLookup, recognizeLookupChoice } from '../../dialogs/status/understand';
import type { Dependent, ExitReentryVisa, Profile, RequestStatus, RequestStatusResult } from '../../adapters/services/types';

const { t } = createTranslator();
const NOW = new Date('2025-03-10T09:00:00+03:00');
const day = (offset: number) => new Date(Date.UTC(2025, 2, 10 + offset)).toISOString().slice(0, 10);

function request(status: RequestStatus, extra: Partial<RequestStatusResult> = {}): RequestStatusResult {
  return {
    number: '400000101',
    kind: 'passport_update',
    kindLabel: { ar: 'تحديث معلومات الجواز المجدد', en: 'Renewed passport details update' },
    status,
    statusLabel: { ar: 'قيدت', en: 'Recorded' },
    reason: null,
    beneficiary: { name: { ar: 'أحمد', en: 'Ahmed' }, idNumber: '2345678904' },
    submittedAt: '2025-03-08T06:00:00Z',
    updatedAt: '2025-03-08T06:00:00Z',
    history: [],
    ...extra,
  };
}

const person = {
  kind: 'resident' as const,
  nationality: { ar: 'مصر', en: 'Egypt' },
  dateOfBirth: '1980-01-01',
  maritalStatus: 'married' as const,
  passport: { number: 'A1', issueDate: null, expiryDate: day(900), status: 'valid' as const },
  healthInsurance: { status: 'valid' as const, expiryDate: day(300), provider: 'x' },
  nationalAddressRegistered: true,
  medicalExamRequired: false,
  unpaidFees: 0,
  violations: { count: 0, amount: 0 },
};

function profile(iqamaDays: number | null): Profile {
  return {
    ...person,
    idNumber: '2345678904',
    name: { ar: 'أحمد حسن', en: 'Ahmed Hassan' },
    iqama: iqamaDays === null ? null : { expiryDate: day(iqamaDays), status: iqamaDays < 0 ? 'expired' : 'valid' },
    maskedMobile: '05******12',
    dependentsCount: 0,
  };
}

function dependent(id: string, name: string, relationship: Dependent['relationship'], label: string, iqamaDays: number | null): Dependent {
  return {
    ...person,
    id,
    idNumber: `23456789${id.slice(-2)}`,
    name: { ar: name, en: name },
    relationship,
    relationshipLabel: { ar: label, en: label },
    age: 10,
    iqama: iqamaDays === null ? null : { expiryDate: day(iqamaDays), status: iqamaDays < 0 ? 'expired' : 'valid' },
  };
}

describe('status explained in plain language', () => {
  it('says what "قيدت" (recorded) means in both languages', () => {
    expect(explainStatus(t, 'ar', request('recorded'))).toContain('تم إثباتها وتسجيلها');
    // What seed 002 says, and nothing it does not (neither "nothing more needed" nor "follow it up").
    expect(explainStatus(t, 'ar', request('recorded'))).toBe('«قيدت» تعني أن المعاملة تم إثباتها وتسجيلها.');
    expect(explainStatus(t, 'en', request('recorded'))).toMatch(/established and registered\.$/);
  });

  it('a ticket needing information gives the reason and how to reply through Tawasul', () => {
    const r = request('needs_info', { number: '700000101', kind: 'tawasul', reason: { ar: 'أرفق صورة شهادة الميلاد', en: 'Attach the birth certificate' } });
    expect(explainStatus(t, 'en', r)).toMatch(/Attach the birth certificate\n.*new Tawasul request.*700000101/);
    expect(explainStatus(t, 'ar', r)).toMatch(/أرفق صورة شهادة الميلاد\n.*طلب «تواصل» جديد.*700000101/);
    // A request (not a ticket) is completed on the request itself.
    expect(explainStatus(t, 'en', { ...r, kind: 'iqama_renewal', number: '400000109' })).toContain('open request 400000109');
  });

  it('rejected and resolved carry the reason; without one they still read well', () => {
    expect(explainStatus(t, 'en', request('rejected', { reason: { ar: 'ليست على كفالتك', en: 'Not under your sponsorship' } }))).toContain('Reason: Not under your sponsorship');
    expect(explainStatus(t, 'ar', request('rejected'))).toContain('لم تتم الموافقة');
    // The department's reply is quoted as theirs, not run on after a sentence saying the same.
    expect(explainStatus(t, 'en', request('resolved', { reason: { ar: 'تم الرد', en: 'Answered' } }))).toBe('Your ticket is closed. The department\'s reply: "Answered"');
    expect(explainStatus(t, 'ar', request('resolved', { reason: { ar: 'تمت معالجة طلبك.', en: 'Handled.' } }))).toBe('أُغلقت تذكرتك، وهذا ردّ الإدارة: «تمت معالجة طلبك.»');
  });

  it.each(['submitted', 'under_review', 'approved', 'cancelled'] as const)('%s has its own sentence in both languages', (status) => {
    const ar = explainStatus(t, 'ar', request(status));
    const en = explainStatus(t, 'en', request(status));
    expect(ar).toMatch(/[\u0600-\u06FF]{3}/);
    expect(en).not.toContain('explain.');
    expect(ar).not.toContain('explain.');
  });

  it('a ticket shows its history with dates in both calendars; a request only its last update', () => {
    const ticket = request('needs_info', {
      number: '700000101',
      kind: 'tawasul',
      kindLabel: { ar: 'طلب تواصل', en: 'Tawasul request' },
      statusLabel: { ar: 'بانتظار استكمال المعلومات', en: 'More information needed' },
      updatedAt: '2025-03-11T04:00:00Z',
      reason: { ar: 'أرفق المستند', en: 'Attach the document' },
      history: [
        { status: 'submitted', statusLabel: { ar: 'تم تقديم الطلب', en: 'Submitted' }, at: '2025-03-10T03:00:00Z', reason: null },
        { status: 'under_review', statusLabel: { ar: 'قيد الدراسة', en: 'Under review' }, at: '2025-03-10T04:00:00Z', reason: null },
        { status: 'needs_info', statusLabel: { ar: 'بانتظار استكمال المعلومات', en: 'More information needed' }, at: '2025-03-11T04:00:00Z', reason: { ar: 'أرفق المستند', en: 'Attach the document' } },
      ],
    });
    const en = formatRequest(t, 'en', ticket);
    expect(en).toContain('Tawasul request number 700000101');
    expect(en).toContain('Last update: 11 March 2025 (Ramadan 11, 1446 AH)');
    expect(en).toMatch(/History:\n• 10 March 2025 .*: Submitted\n• 10 March 2025 .*: Under review\n• 11 March 2025 .*: More information needed, needed: Attach the document/);
    const ar = formatRequest(t, 'ar', ticket);
    expect(ar).toContain('آخر تحديث: 11 مارس 2025 (11 رمضان 1446 هـ)');
    expect(ar).toContain('سجلّ الطلب:');
    expect(formatRequest(t, 'en', request('recorded'))).not.toContain('History');
  });
});

describe('validity with days left and Arabic plurals', () => {
  it.each([
    [150, 'بقي 150 يومًا', '150 days left'],
    [100, 'بقي 100 يوم.', '100 days left'],
    [45, 'بقي 45 يومًا', '45 days left'],
    [20, 'بقي 20 يومًا', '20 days left'],
    [3, 'بقي 3 أيام', '3 days left'],
    [2, 'بقي يومان', '2 days left'],
    [1, 'بقي يوم واحد', '1 day left'],
  ])('my iqama %i days ahead', (days, ar, en) => {
    expect(formatMyIqama(t, 'ar', profile(days), NOW)).toContain(ar);
    expect(formatMyIqama(t, 'en', profile(days), NOW)).toContain(en);
  });

  it('nudges to renew within 30 days, says "today", and counts days since expiry', () => {
    expect(formatMyIqama(t, 'en', profile(150), NOW)).not.toContain('renew');
    expect(formatMyIqama(t, 'en', profile(20), NOW)).toContain("It's time to renew it");
    expect(formatMyIqama(t, 'ar', profile(0), NOW)).toContain('تنتهي اليوم');
    expect(formatMyIqama(t, 'ar', profile(-5), NOW)).toMatch(/انتهت في .*، منذ 5 أيام/);
    expect(formatMyIqama(t, 'ar', profile(-2), NOW)).toContain('منذ يومين');
    expect(formatMyIqama(t, 'en', profile(-1), NOW)).toContain('expired on 9 March 2025 (Ramadan 9, 1446 AH), 1 day ago');
  });

  it('a citizen has no iqama', () => {
    expect(formatMyIqama(t, 'en', profile(null), NOW)).toContain('national ID');
    expect(formatMyIqama(t, 'ar', profile(null), NOW)).toContain('هوية وطنية');
  });
});

describe('dependents and visas', () => {
  const family = [
    dependent('D1001', 'منى', 'spouse', 'زوجة', 20),
    dependent('D1002', 'عمر', 'son', 'ابن', -5),
    dependent('D1003', 'سعد', 'son', 'ابن', null),
  ];

  it('lists every dependent with masked ID, validity and a renewal hint', () => {
    const ar = formatDependents(t, 'ar', family, NOW);
    expect(ar.split('\n')[0]).toBe('إقامات التابعين لك:');
    expect(ar).toMatch(/• منى \(زوجة، هوية \*{6}8901\): سارية حتى .*، بقي 20 يومًا/);
    expect(ar).toMatch(/• عمر \(ابن، هوية \*{6}8902\): انتهت في .*، منذ 5 أيام/);
    expect(ar).toContain('• سعد (ابن): مواطن سعودي');
    expect(ar).toContain('تجديد إقامة');
    expect(ar).not.toContain('2345678901');
  });

  it('narrows to the relation named, or says nobody matches and lists all', () => {
    const wife = formatDependents(t, 'en', family, NOW, 'wife');
    expect(wife).toContain('منى');
    expect(wife).not.toContain('عمر');
    const mother = formatDependents(t, 'en', family, NOW, 'mother');
    expect(mother).toMatch(/couldn't find a mother[\s\S]*منى[\s\S]*عمر/);
    expect(formatDependents(t, 'ar', [], NOW)).toContain('لا يوجد تابعون');
  });

  it('visas: type, validity, days left, stay abroad; an expired one counts days since', () => {
    const visas: ExitReentryVisa[] = [
      { visaNumber: '400000104', holder: { name: { ar: 'أحمد', en: 'Ahmed' }, idNumber: '2345678904' }, type: 'multiple', issueDate: day(-10), exitBefore: day(80), durationDays: 90, status: 'valid' },
      { visaNumber: '400000105', holder: { name: { ar: 'عمر', en: 'Omar' }, idNumber: '2345678902' }, type: 'single', issueDate: day(-70), exitBefore: day(-11), durationDays: 60, status: 'expired' },
    ];
    const en = formatVisas(t, 'en', visas, NOW);
    expect(en).toMatch(/Multiple exit\/re-entry visa no\. 400000104 for Ahmed: valid, leave the Kingdom before .* \(80 days left\); up to 90 days abroad/);
    expect(en).toMatch(/Single exit\/re-entry visa no\. 400000105 for Omar: expired on .* \(11 days ago\) without being used/);
    const ar = formatVisas(t, 'ar', visas, NOW);
    expect(ar).toContain('تأشيرة خروج وعودة متعددة رقم 400000104 باسم أحمد');
    expect(ar).toMatch(/بقي 80 يومًا\)، ومدة البقاء في الخارج حتى 90 يومًا/);
    expect(ar).toContain('(منذ 11 يومًا) دون استخدام');
    expect(formatVisas(t, 'en', [], NOW)).toContain('no exit/re-entry visas');
  });
});

describe('what the user asks for', () => {
  it.each([
    ['وش صار على طلبي ٤٠٠ ٠٠٠ ١٠١؟', 'request'],
    ['status 700-000-104', 'request'],
    ['وش صار على طلبي', 'request'],
    ['متى تنتهي اقامتي', 'myIqama'],
    ['when does my iqama expire', 'myIqama'],
    ['متى تخلص اقامة زوجتي', 'dependents'],
    ['ابي اشوف صلاحية اقامات التابعين', 'dependents'],
    ['صلاحية تأشيرة الخروج والعودة حقتي', 'visas'],
    ['my exit re-entry visas', 'visas'],
  ])('%s → %s', (text, kind) => {
    expect(detectLookup(text)?.kind).toBe(kind);
  });

  it('a relation goes with the dependents lookup; nothing recognisable is undefined', () => {
    expect(detectLookup('متى تخلص اقامة زوجتي')).toEqual({ kind: 'dependents', relation: 'wife' });
    expect(detectLookup('كيف حالك')).toBeUndefined();
  });

  it.each([
    ['400000101', { ok: true, number: '400000101' }],
    ['رقم طلبي ٤٠٠-٠٠٠-١٠٢ لو سمحت', { ok: true, number: '400000102' }],
    ['7 0 0 0 0 0 1 0 1', { ok: true, number: '700000101' }],
    ['12345', { ok: false, problem: 'tooShort', number: '12345' }],
    ['123', { ok: false, problem: 'tooShort', number: '123' }],
    ['4000001011', { ok: false, problem: 'tooLong', number: '4000001011' }],
    ['500000101', { ok: false, problem: 'prefix', number: '500000101' }],
    ['2345678904', { ok: false, problem: 'isId' }],
    ['ما أدري', { ok: false, problem: 'none' }],
  ])('number in %s', (text, expected) => {
    expect(checkRequestNumber(text)).toEqual(expected);
  });

  it.each([
    ['٢', 'myIqama'],
    ['الثالث', 'dependents'],
    ['the fourth', 'visas'],
    ['My iqama validity', 'myIqama'],
    ['إقامات التابعين', 'dependents'],
    ['تأشيرات الخروج والعودة', 'visas'],
    ['طلب أو تذكرة برقمها', 'request'],
  ])('choice %s → %s', (text, kind) => {
    expect(recognizeLookupChoice(t, text)?.kind).toBe(kind);
  });

  it('a number typed at the choice is a request to look up', () => {
    expect(recognizeLookupChoice(t, '400 000 101')).toEqual({ kind: 'request', numberText: '400 000 101' });
    expect(recognizeLookupChoice(t, 'banana')).toBeUndefined();
  });
});
