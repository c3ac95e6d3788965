/**
 * Tawasul tracking transcripts against the simulator over real HTTP: my tickets with status
 * (newest first) and a ticket's detail with its history and the department's notes, dates in
 * both calendars, in Arabic and English; a number in the first message; another person's
 * number; no tickets; the simulator's clock moved (needs information, with what to do); an
 * expired session mid-flow; the services API down then a retry; a language switch while a
 * question waits. And which words mean "follow my tickets" (isTicketListRequest).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { isTicketListRequest } from '../../dialogs/tawasul/understand';
import { formatTicket } from '../../dialogs/tawasul/format';
import { startFaultProxy, type FaultProxy } from '../services/faultProxy';
import { ABDULLAH, AHMED, BILAL, HOUR, MOHAMMED, OTP, buttons, play, startTawasulSim, t, texts, trackHarness } from './trackHarness';

let sim: Simulator;
let url: string;

beforeAll(async () => {
  ({ sim, url } = await startTawasulSim());
});
afterAll(async () => {
  await sim?.stop();
});
beforeEach(() => sim.reset());

const ar = (key: string, args?: Record<string, unknown>) => t('ar', `tawasulTrack:${key}`, args);
const en = (key: string, args?: Record<string, unknown>) => t('en', `tawasulTrack:${key}`, args);
/** A Gregorian date followed by its Umm al-Qura date in brackets. */
const BOTH_AR = /\d{1,2} \S+ 20\d\d \(\d{1,2} [^)]+ 14\d\d هـ\)/;
const BOTH_EN = /\d{1,2} [A-Z][a-z]+ 20\d\d \([^)]+ 14\d\d AH\)/;

describe('Tawasul tracking', () => {
  it('Arabic: "طلباتي في تواصل" → verify → the list → a ticket with its history; after 22 h it needs information, with what to do', async () => {
    const h = trackHarness({ url });
    await play(h, [
      ['طلباتي في تواصل', t('ar', 'verify:askId')],
      [AHMED, t('ar', 'verify:askCode', { mobile: '05******12' })],
      [OTP, [ar('intro'), /^1\. 700000101: تصحيح تاريخ الميلاد — قيد الدراسة، آخر تحديث /m, BOTH_AR, ar('ask')], ['700000101', ar('new')]],
    ]);
    const detail = texts(await h.say('700000101'));
    expect(detail).toContain(ar('title', { number: '700000101' }));
    expect(detail).toContain('النوع: تصحيح تاريخ الميلاد (تصحيح البيانات)');
    expect(detail).toContain('الحالة: قيد الدراسة');
    expect(detail).toContain(ar('explain.under_review'));
    expect(detail).toMatch(new RegExp(`• ${BOTH_AR.source}، الساعة \\d{1,2}:\\d\\d [صم] بتوقيت الرياض: تم تقديم الطلب`));
    expect(detail).toMatch(new RegExp(`• ${BOTH_AR.source}، الساعة \\d{1,2}:\\d\\d [صم] بتوقيت الرياض: قيد الدراسة`));
    expect(detail).toContain('وصفك: «تاريخ ميلاد ابنتي ليلى مسجل بشكل خاطئ في النظام.»');

    // A day later the department asks for more: the note, the history and what to do.
    sim.advance(22 * HOUR);
    await play(h, [
      [ar('others'), t('ar', 'services:error.sessionExpired')], // the 15-minute token did not survive the day
      [AHMED, 'رمز'],
      [OTP, /700000101: تصحيح تاريخ الميلاد — بانتظار استكمال المعلومات/],
    ]);
    const later = texts(await h.say('الأول'));
    expect(later).toContain('الحالة: بانتظار استكمال المعلومات');
    expect(later).toContain(ar('explain.needs_info', { number: '700000101' }));
    expect(later).toContain('ملاحظة الإدارة: يرجى إرفاق صورة الجواز أو شهادة الميلاد لإثبات التاريخ الصحيح.');
    expect(later).toMatch(/: بانتظار استكمال المعلومات، الملاحظة: يرجى إرفاق صورة الجواز/);
  });

  it('English: my tickets newest first; "the second" and a typed number open each, with the reason of a rejection', async () => {
    const h = trackHarness({ url, locale: 'en-US' });
    await h.say('my tickets');
    await h.say(MOHAMMED);
    const list = texts(await h.say(OTP));
    expect(list.indexOf('700000103')).toBeGreaterThan(-1);
    expect(list.indexOf('700000103')).toBeLessThan(list.indexOf('700000102')); // newest first
    expect(list).toMatch(/^1\. 700000103: Iqama extension request — Rejected, updated /m);
    expect(list).toMatch(/^2\. 700000102: General question — Resolved, updated /m);
    expect(list).toMatch(BOTH_EN);

    const second = texts(await h.say('the second'));
    expect(second).toContain('Tawasul request 700000102');
    expect(second).toContain(en('explain.resolved'));
    expect(second).toContain("The department's note: Your question was answered; the reply is in Absher.");
    expect(second).toContain('Your description: "What documents do I need to renew my wife’s iqama?"');

    const typed = texts(await h.say('show me 700 000 103 please'));
    expect(typed).toContain('Tawasul request 700000103');
    expect(typed).toContain('Status: Rejected');
    expect(typed).toContain(en('explain.rejected'));
    expect(typed).toContain('The iqama number is not under your sponsorship.');
  });

  it('a ticket number in the first message opens it at once; a number of someone else is not found and the list follows', async () => {
    const h = trackHarness({ url, locale: 'en-US' });
    await play(h, [
      ['what happened to Tawasul ticket 700-000-104?', t('en', 'verify:askId')],
      [ABDULLAH, 'code'],
      [OTP, ['Tawasul request 700000104', 'Type: Other transaction (Other transactions)', 'Status: Resolved'], [en('others'), en('new')]],
    ]);
    const other = trackHarness({ url });
    await play(other, [
      ['تابع طلب تواصل رقم 700000102', t('ar', 'verify:askId')],
      [AHMED, 'رمز'],
      [OTP, [ar('notFound', { number: '700000102' }), ar('intro'), '700000101']],
    ]);
  });

  it('no tickets: said plainly, with a new request and the menu offered', async () => {
    const h = trackHarness({ url });
    await h.say('طلباتي في تواصل');
    await h.say(BILAL);
    const replies = await h.say(OTP);
    expect(texts(replies)).toContain(ar('none'));
    expect(buttons(replies)).toEqual([ar('new'), t('ar', 'intent.menu')]);
  });

  it('a wrong pick is answered with the list again; the list position beyond the buttons still works', async () => {
    const h = trackHarness({ url });
    await h.say('طلباتي');
    await h.say(MOHAMMED);
    await h.say(OTP);
    const again = texts(await h.say('ما ادري'));
    expect(again).toContain(ar('askAgain'));
    expect(again).toContain('700000103');
    expect(h.active()).toBe(true);
    expect(texts(await h.say('٢'))).toContain(ar('title', { number: '700000102' }));
  });

  it('a language switch while the list waits re-asks in English with English buttons', async () => {
    const h = trackHarness({ url });
    await h.say('طلباتي في تواصل');
    await h.say(AHMED);
    await h.say(OTP);
    const switched = await h.say('English');
    expect(texts(switched)).toBe(en('ask'));
    expect(buttons(switched)).toEqual(['700000101', en('new')]);
    expect(texts(await h.say('1'))).toContain('Type: Date of birth correction (Data correction)');
  });

  describe('when the services API fails', () => {
    let proxy: FaultProxy;
    beforeAll(async () => {
      proxy = await startFaultProxy(url);
    });
    afterAll(async () => {
      await proxy?.stop();
    });

    it('says so, offers a retry, and the retry answers', async () => {
      const h = trackHarness({ url: proxy.url });
      await h.say('my tickets');
      await h.say(AHMED);
      // The code is checked, then the list fails on both attempts (the client retries reads once).
      proxy.plan('pass', 'status503', 'status503');
      const failed = await h.say(OTP);
      expect(texts(failed)).toContain(en('failed', { reason: t('en', 'services:error.unavailable') }));
      expect(buttons(failed)).toEqual([en('retry'), t('en', 'intent.menu')]);
      await play(h, [[en('retry'), [en('intro'), '700000101']]]);
    });
  });

  it('the session expiring between the list and the pick re-verifies, then shows the ticket', async () => {
    const h = trackHarness({ url, locale: 'en-US' });
    await h.say('my tickets');
    await h.say(AHMED);
    await h.say(OTP);
    expect((await fetch(`${url}/_sim/sessions/expire`, { method: 'POST' })).status).toBe(200);
    await play(h, [
      ['700000101', [t('en', 'services:error.sessionExpired'), t('en', 'verify:askId')]],
      [AHMED, 'code'],
      [OTP, 'Tawasul request 700000101'],
    ]);
  });

  it('cuts a long description in the detail and names the files', () => {
    const long = 'أ'.repeat(400);
    const text = formatTicket(t, 'ar', {
      number: '700000199', sectionId: 'other', transactionTypeId: 'other_transaction',
      sectionLabel: { ar: 'معاملات أخرى', en: 'Other transactions' }, transactionTypeLabel: { ar: 'معاملة أخرى', en: 'Other transaction' },
      status: 'submitted', statusLabel: { ar: 'تم تقديم الطلب', en: 'Submitted' }, createdAt: '2026-01-05T09:00:00Z', updatedAt: '2026-01-05T09:00:00Z',
      description: long, fields: {}, reason: null, history: [],
      attachments: [{ attachmentId: 'a1', fileName: 'passport.pdf', contentType: 'application/pdf', size: 10 }, { attachmentId: 'a2', fileName: 'photo.png', contentType: 'image/png', size: 10 }],
    });
    expect(text).toContain(`«${'أ'.repeat(300)}…»`);
    expect(text).toContain('الملفات: passport.pdf، photo.png');
    expect(text).toContain('5 يناير 2026 (');
  });
});

describe('isTicketListRequest', () => {
  it.each([
    ['طلباتي في تواصل', true],
    ['my tickets', true],
    ['show my tawasul requests', true],
    ['وش صار على طلب تواصل', true],
    ['ابي اتابع طلب التواصل', true],
    ['status of my Tawasul ticket', true],
    ['وش صار على طلب تواصل 700000101', false], // a number: the status lookup answers it
    ['ابي ارفع طلب تواصل', false],
    ['open a tawasul ticket', false],
    ['طلباتي', false],
    ['وش صار على طلبي', false],
  ])('%s → %s', (text, expected) => {
    expect(isTicketListRequest(text)).toBe(expected);
  });
});
