/**
 * The renewal when things go wrong mid-flow, against the simulator over real HTTP:
 * - the session expires (sessions revoked on the simulator, or its clock past the 15 min):
 *   the user verifies again and the flow resumes at the failed step with what was collected;
 * - the services API breaks (a fault proxy in front of the simulator: connection reset,
 *   503, an answer lost after the work was done): a polite message, a retry offered, and the
 *   retry reuses the idempotency key, so the simulator holds one bill and one request.
 */
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { Simulator } from '../../sim';
import { startFaultProxy, type FaultProxy } from '../services/faultProxy';
import { AHMED, MOHAMMED, OTP, harness, play, startIqamaSim, useSimulator, t, verifyAs, type Harness } from './support';

let sim: Simulator;
let url: string;
let proxy: FaultProxy;

useSimulator(startIqamaSim, (running) => ({ sim, url } = running));
beforeEach(async () => {
  proxy = await startFaultProxy(url);
});
afterEach(async () => {
  await proxy.stop();
});

const admin = (path: string) => fetch(`${url}/_sim/${path}`, { method: 'POST' }).then((r) => expect(r.status).toBe(200));
const pay = () => admin('bills/3000000101/pay');
const posts = (path: string) => proxy.seen.filter((r) => r.method === 'POST' && r.path.startsWith(path)).length;

/** Verified, Mona chosen for 12 months, at the review. */
async function toReview(h: Harness, lang: 'ar' | 'en'): Promise<void> {
  await play(h, [
    [lang === 'ar' ? 'أبي أجدد إقامة زوجتي' : "renew my wife's iqama", t(lang, 'verify:askId')],
    ...verifyAs(AHMED, lang, '05******12'),
    [OTP, t(lang, 'iqama:duration', { name: lang === 'ar' ? 'منى إبراهيم السيد' : 'Mona Ibrahim Elsayed' })],
    [lang === 'ar' ? 'سنة' : '12 months', t(lang, 'iqama:review.ask')],
  ]);
}

describe('session expired mid-flow', () => {
  it('MSA: revoked before the bill → verify again → the bill is issued without asking anything else again', async () => {
    const h = harness({ sim, url });
    await toReview(h, 'ar');
    await admin('sessions/expire');
    await play(h, [
      ['تأكيد', [t('ar', 'services:error.sessionExpired'), t('ar', 'verify:askId')]],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, ['تم التحقق من هويتك', '• رقم سداد: 93000000101', '• المبلغ: 700 ريال'], ['سدّدت الفاتورة']],
    ]);
    expect(sim.created).toMatchObject({ sessions: 2, bills: 1 });
  });

  it('English: the clock passes the 15 minutes while the bill is being paid → verify again → submitted once', async () => {
    // Its own simulator: moving the clock must not shift the other tests' days.
    const own = await startIqamaSim();
    onTestFinished(() => own.sim.stop());
    const h = harness({ sim: own.sim, url: own.url, locale: 'en-US' });
    await toReview(h, 'en');
    await play(h, [['Confirm', '• SADAD number: 93000000101']]);
    own.sim.advance(20 * 60_000);
    await fetch(`${own.url}/_sim/bills/3000000101/pay`, { method: 'POST' });
    await play(h, [
      ["I've paid", [t('en', 'services:error.sessionExpired'), t('en', 'verify:askId')]],
      ...verifyAs(AHMED, 'en', '05******12'),
      [OTP, /Mona Ibrahim Elsayed's iqama renewal has been submitted as request \d+/],
    ]);
    expect(own.sim.created).toMatchObject({ bills: 1, renewalRequests: 1 });
  });

  it('Gulf: expired while answering the list (the eligibility call) → verify again → resumes with the chosen son', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['ابي اجدد اقامة ولدي', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'iqama:chooseAmong')],
    ]);
    await admin('sessions/expire');
    await play(h, [
      ['يوسف', [t('ar', 'services:error.sessionExpired'), t('ar', 'verify:askId')]],
      ...verifyAs(AHMED, 'ar', '05******12'),
      // The answer already given is kept: no list again, straight to Youssef's eligibility.
      [OTP, ['لا يمكن تجديد إقامة يوسف أحمد حسن حالياً', 'توجد مخالفتان غير مسددتين بمبلغ 900 ريال']],
    ]);
  });
});

describe('services API down mid-flow', () => {
  it('MSA: the bill was made but its answer lost → sorry + retry → the same bill (replayed), never a second one', async () => {
    const h = harness({ sim, url: proxy.url });
    await toReview(h, 'ar');
    proxy.plan('forwardThenReset');
    await play(h, [
      ['تأكيد', [t('ar', 'services:error.unavailable'), t('ar', 'iqama:retryPrompt')], [t('ar', 'iqama:next.retry'), t('ar', 'menu.agent')]],
    ]);
    expect(sim.created.bills).toBe(1);
    const task = (await h.data()).task;
    expect(task?.details).toMatchObject({ dependent: 'منى إبراهيم السيد (******7625)', months: '12' });
    await play(h, [[t('ar', 'iqama:next.retry'), ['• رقم سداد: 93000000101', '• المبلغ: 700 ريال']]]);
    expect(sim.created.bills).toBe(1);
    expect(sim.http.idempotentReplays).toBe(1);
    expect(posts('/v1/iqama-renewal/bills')).toBe(2);
  });

  it('English: the submission was made but its answer lost, twice → each retry reuses the key → one request, its number shown', async () => {
    const h = harness({ sim, url: proxy.url, locale: 'en-US' });
    await toReview(h, 'en');
    await play(h, [['Confirm', '• SADAD number: 93000000101']]);
    await pay();
    proxy.plan('forwardThenReset');
    await play(h, [["I've paid", [t('en', 'services:error.unavailable'), t('en', 'iqama:retryPrompt')]]]);
    proxy.plan('reset');
    await play(h, [['yes', t('en', 'iqama:retryPrompt')]]);
    await play(h, [['Try again', [/submitted as request 4000001\d\d/, t('en', 'iqama:anotherAsk')]]]);
    expect(sim.created).toMatchObject({ bills: 1, renewalRequests: 1 });
    expect(posts('/v1/iqama-renewal/requests')).toBe(3);
    // The bill already issued is not asked for again on a retry.
    expect(posts('/v1/iqama-renewal/bills')).toBe(1);
    // The first submission did the work: the retry got its stored answer.
    expect(sim.http.idempotentReplays).toBeGreaterThanOrEqual(1);
  });

  it('Gulf: the list call fails after verifying → retry lists the family without asking for the ID again', async () => {
    const h = harness({ sim, url: proxy.url });
    await play(h, [
      ['ابي اجدد اقامة', t('ar', 'verify:askId')],
      ...verifyAs(MOHAMMED, 'ar', '05******47'),
    ]);
    // The code is checked (pass); the list call then fails on every attempt.
    proxy.plan('pass', 'status503', 'status503', 'status503');
    await play(h, [[OTP, [t('ar', 'services:error.unavailable'), t('ar', 'iqama:retryPrompt')]]]);
    await play(h, [['ايه', [t('ar', 'iqama:chooseIntro'), '1. عائشة']]]);
    expect(sim.created.challenges).toBe(1);
  });

  it('MSA: "لا" to the retry question ends the renewal politely with the menu', async () => {
    const h = harness({ sim, url: proxy.url });
    await toReview(h, 'ar');
    proxy.plan('status500');
    await play(h, [
      ['تأكيد', t('ar', 'iqama:retryPrompt')],
      ['لا', t('ar', 'menu.anythingElse'), [t('ar', 'menu.renew')]],
    ]);
  });
});
