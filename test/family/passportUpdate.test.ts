/**
 * The renewed passport information update through the real MainDialog and trained recognizer,
 * against the simulator over real HTTP, in Arabic (Gulf and MSA) and English: Ahmed's passport
 * updated (number checked for form, dates typed Hijri or Gregorian, expiry in the future and
 * after issue, issuing country, review, the request number with «قيدت» explained), a
 * correction from the review and mid-flow, a question mid-flow, the passport already
 * recorded, and a citizen told plainly the service is for residents.
 */
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { formatBothCalendars } from '../../dialogs/format/dates';
import { extractEntities } from '../../dialogs/understanding/entities';
import { ABDULLAH, AHMED, OTP, harness, play, startFamilySim, t, useSimulator, verifyAs } from './support';

let sim: Simulator;
let url: string;
useSimulator(startFamilySim, (running) => ({ sim, url } = running));

const NEW_PASSPORT = 'A30999888';
const ISSUED = '2026-03-15';
/** 1 Muharram 1455 AH, typed in Hijri. */
const EXPIRY_HIJRI = '1455/01/01 هـ';
/** Its Gregorian day, as the Umm al-Qura calendar gives it. */
const EXPIRY_ISO = extractEntities(EXPIRY_HIJRI).date!.iso;

describe('Ahmed (resident): the passport information updated', () => {
  it('Gulf: «جددت جوازي وابي احدث بياناتي» → a number of the wrong form is explained → Gregorian issue date, Hijri expiry date → country button → review → the request number with «قيدت» explained', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['جددت جوازي وابي احدث بياناتي', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, [t('ar', 'family:passport.intro'), t('ar', 'family:passport.ask.passportNumber')]],
      ['A12', t('ar', 'family:passport.invalid.passportNumber')],
      [`رقمه ${NEW_PASSPORT}`, t('ar', 'family:passport.ask.issueDate')],
      ['15/03/2026', t('ar', 'family:passport.ask.expiryDate')],
      [EXPIRY_HIJRI, t('ar', 'family:passport.ask.issuingCountry'), ['مصر']],
      [
        'مصر',
        [t('ar', 'family:passport.review.title'), `رقم الجواز الجديد: ${NEW_PASSPORT}`, `تاريخ الإصدار: ${formatBothCalendars(ISSUED, 'ar')}`, `تاريخ الانتهاء: ${formatBothCalendars(EXPIRY_ISO, 'ar')}`, 'الدولة المُصدِرة: مصر'],
        ['تأكيد', 'تغيير رقم الجواز', 'تغيير التواريخ', 'تغيير الدولة'],
      ],
      ['تأكيد', [/تم تحديث معلومات جوازك، ورقم الطلب 4000001\d\d \(الحالة: قيدت\)/, t('ar', 'status:explain.recorded')], ['تحديث بيانات الجواز']],
    ]);
    expect(sim.created.passportUpdates).toBe(1);
    expect((await h.data()).task).toBeUndefined();
  });

  it('English: issue date in the future and expiry before issue are refused with the reason; a correction from the review changes the expiry date', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['update my passport info', t('en', 'verify:askId')],
      ...verifyAs(AHMED, 'en', '05******12'),
      [OTP, t('en', 'family:passport.ask.passportNumber')],
      [NEW_PASSPORT.toLowerCase(), t('en', 'family:passport.ask.issueDate')],
      ['1 January 2040', [t('en', 'family:passport.invalid.issueFuture'), t('en', 'family:passport.ask.issueDate')]],
      ['15 March 2026', t('en', 'family:passport.ask.expiryDate')],
      ['01/01/2026', [t('en', 'family:passport.invalid.expiryPast'), t('en', 'family:passport.ask.expiryDate')]],
      [formatBothCalendars(EXPIRY_ISO, 'en').split(' (')[0]!, t('en', 'family:passport.ask.issuingCountry'), ['Egypt']],
      ['Egypt', [`New passport number: ${NEW_PASSPORT}`, `Expiry date: ${formatBothCalendars(EXPIRY_ISO, 'en')}`, 'Issuing country: Egypt']],
      ['the expiry date is wrong, it is 10 May 2034', [`Expiry date: ${formatBothCalendars('2034-05-10', 'en')}`, t('en', 'family:passport.review.ask')]],
      ['Change the country', t('en', 'family:passport.ask.issuingCountry')],
      ['Arab Republic of Egypt', 'Issuing country: Arab Republic of Egypt'],
      ['looks good', [/Your passport information has been updated, request number 4000001\d\d \(status: Recorded\)/, t('en', 'status:explain.recorded')]],
    ]);
    expect(sim.created.passportUpdates).toBe(1);
  });

  it('MSA: a question at the expiry date is answered in place; «رقم الجواز غلط، الصحيح …» mid-flow replaces the number and the same question follows', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['أرغب في تحديث بيانات جوازي المجدد', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'family:passport.ask.passportNumber')],
      [NEW_PASSPORT, t('ar', 'family:passport.ask.issueDate')],
      ['١٥/٠٣/٢٠٢٦', t('ar', 'family:passport.ask.expiryDate')],
      ['وش معنى قيدت؟', [t('ar', 'faq:transaction_recorded.answer').slice(0, 40), t('ar', 'family:passport.ask.expiryDate')]],
      ['رقم الجواز غلط، الصحيح A30999777', t('ar', 'family:passport.ask.expiryDate')],
      ['تاريخ الانتهاء 14/03/2036', t('ar', 'family:passport.ask.issuingCountry')],
      ['مصر', ['رقم الجواز الجديد: A30999777', `تاريخ الانتهاء: ${formatBothCalendars('2036-03-14', 'ar')}`]],
    ]);
  });

  it('the passport already recorded is said so at submission, and the number asked again', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['I renewed my passport, update it in the system', t('en', 'verify:askId')],
      ...verifyAs(AHMED, 'en', '05******12'),
      [OTP, t('en', 'family:passport.ask.passportNumber')],
      ['A28841937', t('en', 'family:passport.ask.issueDate')],
      ['2026-03-15', t('en', 'family:passport.ask.expiryDate')],
      ['2036-03-14', t('en', 'family:passport.ask.issuingCountry')],
      ['Egypt', t('en', 'family:passport.review.ask')],
      ['Confirm', [t('en', 'family:passport.invalid.samePassport'), t('en', 'family:passport.ask.passportNumber')]],
      [NEW_PASSPORT, 'New passport number: A30999888'],
    ]);
    expect(sim.created.passportUpdates).toBe(0);
  });
});

describe('a citizen', () => {
  it.each([
    ['ar', 'جددت جوازي وابي احدث بياناتي'],
    ['en', 'update my passport info'],
  ] as const)('%s: Abdullah is told plainly the service is for residents, with the menu', async (lang, opening) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    await play(h, [
      [opening, t(lang, 'verify:askId')],
      ...verifyAs(ABDULLAH, lang, '05******81'),
      [OTP, [t(lang, 'family:passport.residentsOnly'), t(lang, 'menu.anythingElse')], [t(lang, 'menu.renew')]],
    ]);
    expect(sim.created.passportUpdates).toBe(0);
  });
});

describe('switching task', () => {
  it('Gulf: asking for a travel permit in the middle of the passport update switches task, keeping the session', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['ابي احدث بيانات جوازي', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'family:passport.ask.passportNumber')],
      ['لا خلاص ابي اصدر تصريح سفر لولدي عمر', [t('ar', 'inTask.switched', { from: t('ar', 'intent.passport_update'), to: t('ar', 'intent.travel_permit') }), t('ar', 'family:permit.duration', { name: 'عمر أحمد حسن' })]],
    ]);
    expect(sim.created.challenges).toBe(1);
  });
});
