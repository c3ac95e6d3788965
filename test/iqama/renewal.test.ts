/**
 * The iqama renewal from start to request number, through the real MainDialog and trained
 * recognizer against the simulator over real HTTP, in Arabic MSA, Gulf dialect and English:
 * the happy path, every way of picking the member, corrections from the review, the review
 * as a card (web chat) or text (WhatsApp), a language switch mid-question, "pay later" then
 * back to the same bill, an unpaid bill checked again, cancel mid-flow, no dependents.
 */
import { describe, expect, it } from 'vitest';
import type { Activity } from 'botbuilder';
import type { Simulator } from '../../sim';
import { formatBothCalendars } from '../../dialogs/format/dates';
import { AHMED, BILAL, DAY, OTP, buttons, harness, play, startIqamaSim, useSimulator, t, texts, verifyAs } from './support';

let sim: Simulator;
let url: string;

useSimulator(startIqamaSim, (running) => ({ sim, url } = running));

const MONA_ID = '2451187625';
/** Bills are numbered from 3000000101 after a reset; the SADAD number is 9 + the bill number. */
const FIRST_BILL = '3000000101';
const pay = (bill = FIRST_BILL) => fetch(`${url}/_sim/bills/${bill}/pay`, { method: 'POST' }).then((r) => expect(r.status).toBe(200));
const due = (lang: 'ar' | 'en') => formatBothCalendars(new Date(sim.clock.now() + 3 * DAY), lang);
const card = (replies: Partial<Activity>[]) => replies.flatMap((r) => r.attachments ?? []).find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');

describe('happy path', () => {
  it('MSA: "my wife" goes straight to Mona; "سنة"; review card; bill; paid; request number; nothing twice', async () => {
    const h = harness({ sim, url });
    const turns = await play(h, [
      ['أرغب في تجديد إقامة زوجتي', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'iqama:duration', { name: 'منى إبراهيم السيد' }), ['3 أشهر — 250 ريال', '12 شهراً — 700 ريال']],
      [
        'سنة',
        [t('ar', 'iqama:review.title'), 'فرد الأسرة: منى إبراهيم السيد (زوجة، هوية ******7625)', /تنتهي الإقامة الحالية: \d+ ديسمبر \d{4} \(\d+ رجب \d{4} هـ\)/, 'مدة التجديد: 12 شهراً', 'الرسوم: 700 ريال', t('ar', 'iqama:review.ask')],
        ['تأكيد', 'تغيير فرد الأسرة', 'تغيير المدة'],
      ],
      ['تأكيد', ['• رقم سداد: 93000000101', '• المفوتر: المديرية العامة للجوازات (009)', '• المبلغ: 700 ريال', `• آخر موعد للسداد: ${due('ar')}`], ['سدّدت الفاتورة', 'سأسدّد لاحقاً']],
      ['سدّدت الفاتورة', [/تم إرسال طلب تجديد إقامة منى إبراهيم السيد برقم 4000001\d\d \(الحالة: تم تقديم الطلب\)/, t('ar', 'iqama:anotherAsk')], ['تجديد إقامة فرد آخر', 'القائمة الرئيسية']],
    ], { 5: () => pay() });
    // The review is an Adaptive Card on web chat, right-to-left in Arabic.
    const review = card(turns[3]!);
    expect(review?.content).toMatchObject({ type: 'AdaptiveCard', rtl: true });
    expect(sim.created).toMatchObject({ bills: 1, renewalRequests: 1 });
    const data = await h.data();
    expect(data.task).toBeUndefined();
    expect(data.iqamaPendingBill).toBeUndefined();
  });

  it('Gulf: after Mona\'s request, «وابي اجدد اقامة ولدي عمر بعد» at «another member?» goes straight to Omar, still verified (his passport has expired)', async () => {
    const h = harness({ sim, url });
    const turns = await play(h, [
      ['أرغب في تجديد إقامة زوجتي', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'iqama:duration', { name: 'منى إبراهيم السيد' })],
      ['سنة', t('ar', 'iqama:review.title')],
      ['تأكيد', '• المبلغ: 700 ريال'],
      ['سدّدت الفاتورة', t('ar', 'iqama:anotherAsk')],
      ['وابي اجدد اقامة ولدي عمر بعد', /لا يمكن تجديد إقامة عمر أحمد حسن حالياً/],
    ], { 5: () => pay() });
    expect(texts(turns[6]!)).not.toContain(t('ar', 'verify:askId'));
    expect(texts(turns[6]!)).not.toContain(t('ar', 'iqama:chooseIntro'));
    expect(sim.created).toMatchObject({ bills: 1, renewalRequests: 1 });
  });

  it('Gulf: the list with masked IDs and days left, "١" picks Mona, "٦ شهور", "ايه" confirms, "ايه سددت" submits', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['السلام عليكم ابي اجدد اقامة', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [
        OTP,
        [
          t('ar', 'iqama:chooseIntro'),
          /1\. منى إبراهيم السيد \(زوجة\) — هوية \u2066\*{6}7625\u2069 — سارية حتى \d+ ديسمبر \d{4} \(\d+ رجب \d{4} هـ\)، بقي 20 يومًا/,
          /4\. يوسف أحمد حسن \(ابن\) — هوية \u2066\*{6}1202\u2069 — انتهت في .+، منذ 5 أيام/,
          '2. عمر أحمد حسن (ابن) — هوية ******3364',
        ],
        ['منى إبراهيم السيد (زوجة)', 'نور أحمد حسن (ابنة)'],
      ],
      ['١', t('ar', 'iqama:duration', { name: 'منى إبراهيم السيد' })],
      ['٦ شهور', ['مدة التجديد: 6 أشهر', 'الرسوم: 400 ريال']],
      ['ايه', '• المبلغ: 400 ريال'],
      ['ايه سددت', t('ar', 'iqama:notPaidYet', { sadad: '93000000101' }), ['تحقّق مرة أخرى', 'سأسدّد لاحقاً']],
      ['تحقّق مرة أخرى', /تم إرسال طلب تجديد إقامة منى إبراهيم السيد برقم \d+/],
    ], { 7: () => pay() });
    expect(sim.created).toMatchObject({ bills: 1, renewalRequests: 1 });
  });

  it('English: the member by her ID number, corrections from the review (duration, then member), pay later, and back to the same bill', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['I want to renew an iqama', t('en', 'verify:askId')],
      ...verifyAs(AHMED, 'en', '05******12'),
      [OTP, [t('en', 'iqama:chooseIntro'), /1\. Mona Ibrahim Elsayed \(Wife\) — ID \u2066\*{6}7625\u2069 — valid until \d+ December \d{4} \(.+AH\), 20 days left/i]],
      [MONA_ID, t('en', 'iqama:duration', { name: 'Mona Ibrahim Elsayed' }), ['3 months — 250 SAR', '12 months — 700 SAR']],
      ['6 months', ['Renewal for: 6 months', 'Fee: 400 SAR']],
      ['Change duration', t('en', 'iqama:duration', { name: 'Mona Ibrahim Elsayed' })],
      ['9', ['Renewal for: 9 months', 'Fee: 550 SAR']],
      ['Change family member', t('en', 'iqama:chooseIntro')],
      ['the first', t('en', 'iqama:duration', { name: 'Mona Ibrahim Elsayed' })],
      ['12 months — 700 SAR', ['Renewal for: 12 months', 'Fee: 700 SAR']],
      ['Confirm', ['• SADAD number: 93000000101', '• Amount: 700 SAR']],
      ["I'll pay later", t('en', 'iqama:payLater', { sadad: '93000000101', amount: 700, due: due('en') })],
      // Back later in the same conversation: the session is still valid, the same bill comes back.
      ['Renew an iqama', t('en', 'iqama:chooseIntro')],
      ['Mona', t('en', 'iqama:duration', { name: 'Mona Ibrahim Elsayed' })],
      ['1 year', 'Fee: 700 SAR'],
      ['yes', '• SADAD number: 93000000101'],
      ["I've paid", /Done: Mona Ibrahim Elsayed's iqama renewal has been submitted as request \d+ \(status: Submitted\)/],
    ], { 16: () => pay() });
    expect(sim.created).toMatchObject({ challenges: 1, bills: 1, renewalRequests: 1 });
  });
});

describe('choosing the member', () => {
  it('Gulf: "ولدي" with two sons asks among them only; "2" is the second of those two', async () => {
    const h = harness({ sim, url });
    const turns = await play(h, [
      ['ابغى اجدد اقامة ولدي', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, [t('ar', 'iqama:chooseAmong'), '1. عمر أحمد حسن (ابن)', '2. يوسف أحمد حسن (ابن)']],
      ['2', 'يوسف أحمد حسن'],
    ]);
    expect(buttons(turns[2]!)).toEqual(['عمر أحمد حسن (ابن)', 'يوسف أحمد حسن (ابن)']);
  });

  it('MSA: an answer that names nobody is asked again, then "الأخيرة" (the last) is understood', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['تجديد إقامة', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'iqama:chooseIntro')],
      ['خالد', t('ar', 'iqama:chooseAgain'), ['منى إبراهيم السيد (زوجة)']],
      ['الأخيرة', 'لا يمكن تجديد إقامة نور أحمد حسن حالياً'],
    ]);
  });

  it('English: no family members registered → said plainly, with an agent and the menu', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['renew iqama', t('en', 'verify:askId')],
      ...verifyAs(BILAL, 'en', '05******93'),
      [OTP, t('en', 'iqama:noDependents'), ['Talk to an agent', 'Main menu']],
    ]);
  });
});

describe('channels and language', () => {
  it('WhatsApp: the review is plain text (no card)', async () => {
    const h = harness({ sim, url, channelId: 'whatsapp' });
    const turns = await play(h, [
      ['ابي اجدد اقامة زوجتي', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'iqama:duration', { name: 'منى إبراهيم السيد' })],
      ['3 اشهر', [`${t('ar', 'iqama:review.title')}\n• فرد الأسرة: منى إبراهيم السيد`, '• الرسوم: 250 ريال', t('ar', 'iqama:review.ask')], ['تأكيد']],
    ]);
    expect(card(turns[3]!)).toBeUndefined();
  });

  it('a language switch mid-question re-renders the list, its buttons and then the review card in English', async () => {
    const h = harness({ sim, url });
    const turns = await play(h, [
      ['تجديد إقامة', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'iqama:chooseIntro')],
      ['English', [t('en', 'language.switched'), t('en', 'iqama:chooseIntro'), '1. Mona Ibrahim Elsayed (Wife)'], ['Mona Ibrahim Elsayed (Wife)', 'Nour Ahmed Hassan (Daughter)']],
      ['Mona Ibrahim Elsayed (Wife)', t('en', 'iqama:duration', { name: 'Mona Ibrahim Elsayed' }), ['3 months — 250 SAR']],
      // The Arabic button still works after the switch (titles match in both languages).
      ['12 شهراً — 700 ريال', 'Fee: 700 SAR'],
      ['العربية', [t('ar', 'language.switched'), 'الرسوم: 700 ريال'], ['تأكيد']],
    ]);
    expect(card(turns[6]!)?.content).toMatchObject({ rtl: true });
    expect(card(turns[5]!)?.content).toMatchObject({ rtl: false });
  });
});

describe('leaving mid-flow', () => {
  it('cancel at the review (MainDialog): nothing issued, the task is cleared, the menu is back', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['أبي أجدد إقامة أمي فاطمة', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'iqama:failure.medical_exam_required')],
      [t('ar', 'iqama:next.another'), t('ar', 'iqama:chooseIntro')],
      ['منى', t('ar', 'iqama:duration', { name: 'منى إبراهيم السيد' })],
      ['سنة', t('ar', 'iqama:review.ask')],
    ]);
    expect((await h.data()).task).toMatchObject({ intent: 'iqama.renew', details: { stage: 'review', months: '12', fee: '700 SAR' } });
    await play(h, [['إلغاء', [t('ar', 'cancel.done'), t('ar', 'menu.anythingElse')], [t('ar', 'menu.renew')]]]);
    expect((await h.data()).task).toBeUndefined();
    expect(sim.created.bills).toBe(0);
    // A confirmation typed after the cancel starts nothing.
    const after = await h.say('تأكيد');
    expect(texts(after)).not.toContain('رقم سداد');
    expect(sim.created.bills).toBe(0);
  });
});
