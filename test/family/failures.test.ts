/**
 * The family tasks when things go wrong mid-flow, against the simulator over real HTTP:
 * - the session expires (sessions revoked on the simulator): verify again, and the task
 *   resumes at the failed step with everything collected;
 * - the services API breaks (a fault proxy: an answer lost after the work was done, 503s):
 *   a polite message, a retry offered, and the retry reuses the idempotency key, so the
 *   simulator holds one permit, one cancellation, one passport update.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { startFaultProxy, type FaultProxy } from '../services/faultProxy';
import { ABDULLAH, AHMED, OTP, harness, play, startFamilySim, t, useSimulator, verifyAs } from './support';

let sim: Simulator;
let url: string;
let proxy: FaultProxy;

useSimulator(startFamilySim, (running) => ({ sim, url } = running));
beforeEach(async () => {
  proxy = await startFaultProxy(url);
});
afterEach(async () => {
  await proxy.stop();
});

const expireSessions = () => fetch(`${url}/_sim/sessions/expire`, { method: 'POST' }).then((r) => expect(r.status).toBe(200));
const posts = (path: string) => proxy.seen.filter((r) => r.method === 'POST' && r.path.startsWith(path)).length;

describe('session expired mid-flow', () => {
  it('Gulf: expired at the permit review → verify again → the permit is issued without asking anything again, once', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['ابي تصريح سفر لولدي سعد ٦ شهور', t('ar', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'ar', '05******81'),
      [OTP, ['مدة التصريح: 6 أشهر', t('ar', 'family:permit.review.ask')]],
    ]);
    await expireSessions();
    await play(h, [
      ['أكد', [t('ar', 'services:error.sessionExpired'), t('ar', 'verify:askId')]],
      ...verifyAs(ABDULLAH, 'ar', '05******81'),
      [OTP, [/تم إصدار تصريح سفر سعد عبدالله القحطاني برقم 4000001\d\d/]],
    ]);
    expect(sim.created).toMatchObject({ sessions: 2, travelPermits: 1 });
  });

  it('English: expired before the passport update is sent → verify again → updated once, nothing asked again', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['update my passport info', t('en', 'verify:askId')],
      ...verifyAs(AHMED, 'en', '05******12'),
      [OTP, t('en', 'family:passport.ask.passportNumber')],
      ['A30999888', t('en', 'family:passport.ask.issueDate')],
      ['2026-03-15', t('en', 'family:passport.ask.expiryDate')],
      ['2036-03-14', t('en', 'family:passport.ask.issuingCountry')],
      ['Egypt', t('en', 'family:passport.review.ask')],
    ]);
    await expireSessions();
    await play(h, [
      ['Confirm', [t('en', 'services:error.sessionExpired'), t('en', 'verify:askId')]],
      ...verifyAs(AHMED, 'en', '05******12'),
      [OTP, /Your passport information has been updated, request number 4000001\d\d/],
    ]);
    expect(sim.created).toMatchObject({ sessions: 2, passportUpdates: 1 });
  });

  it('MSA: expired while answering the cancel question → verify again → Reem\'s permit cancelled once', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['أرغب في إلغاء تصريح سفر ابنتي ريم', t('ar', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'ar', '05******81'),
      [OTP, t('ar', 'family:permit.cancelAsk')],
    ]);
    await expireSessions();
    await play(h, [
      ['نعم، ألغِ التصريح', [t('ar', 'services:error.sessionExpired'), t('ar', 'verify:askId')]],
      ...verifyAs(ABDULLAH, 'ar', '05******81'),
      [OTP, t('ar', 'family:permit.cancelled', { name: 'ريم عبدالله القحطاني', number: '400000103' })],
    ]);
    expect(sim.created.permitCancellations).toBe(1);
  });
});

describe('services API down mid-flow', () => {
  it('MSA: the permit was issued but its answer lost → sorry + retry → the same permit (replayed), never a second', async () => {
    const h = harness({ sim, url: proxy.url });
    await play(h, [
      ['ابي تصريح سفر لولدي سعد سنة', t('ar', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'ar', '05******81'),
      [OTP, t('ar', 'family:permit.review.ask')],
    ]);
    proxy.plan('forwardThenReset');
    await play(h, [['تأكيد', [t('ar', 'services:error.unavailable'), t('ar', 'iqama:retryPrompt')], [t('ar', 'iqama:next.retry'), t('ar', 'menu.agent')]]]);
    expect(sim.created.travelPermits).toBe(1);
    await play(h, [[t('ar', 'iqama:next.retry'), /تم إصدار تصريح سفر سعد عبدالله القحطاني برقم 4000001\d\d/]]);
    expect(sim.created.travelPermits).toBe(1);
    expect(sim.http.idempotentReplays).toBe(1);
    expect(posts('/v1/travel-permits')).toBe(2);
  });

  it('English: the list fails after verifying → retry lists the family without asking for the ID again', async () => {
    const h = harness({ sim, url: proxy.url, locale: 'en-US' });
    await play(h, [['I want to issue a travel permit', t('en', 'verify:askId')], ...verifyAs(ABDULLAH, 'en', '05******81')]);
    // The code is checked (pass); both list calls (dependents, permits) then fail on each of their two attempts.
    proxy.plan('pass', 'status503', 'status503', 'status503', 'status503');
    await play(h, [[OTP, [t('en', 'services:error.unavailable'), t('en', 'iqama:retryPrompt')]]]);
    await play(h, [['yes', [t('en', 'family:permit.chooseIntro'), 'Reem Abdullah Alqahtani']]]);
    expect(sim.created.challenges).toBe(1);
  });

  it('Gulf: the passport update was recorded but its answer lost → retry → one update, its request number shown', async () => {
    const h = harness({ sim, url: proxy.url });
    await play(h, [
      ['ابي احدث بيانات جوازي', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'family:passport.ask.passportNumber')],
      ['A30999888', t('ar', 'family:passport.ask.issueDate')],
      ['2026/03/15', t('ar', 'family:passport.ask.expiryDate')],
      ['2036/03/14', t('ar', 'family:passport.ask.issuingCountry')],
      ['مصر', t('ar', 'family:passport.review.ask')],
    ]);
    proxy.plan('forwardThenReset');
    await play(h, [['تأكيد', [t('ar', 'services:error.unavailable'), t('ar', 'iqama:retryPrompt')]]]);
    await play(h, [['ايه', [/ورقم الطلب 4000001\d\d \(الحالة: قيدت\)/, t('ar', 'status:explain.recorded')]]]);
    expect(sim.created.passportUpdates).toBe(1);
    expect(sim.http.idempotentReplays).toBe(1);
  });
});
