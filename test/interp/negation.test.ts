/**
 * A negation is never read as the option it negates (dialogs/interpret/match.ts): «ما سددت»
 * names the "paid" button's word, but says the opposite. Where the step has a "no" answer
 * (the payment question: "I'll pay later"), the negation is that answer; elsewhere it names
 * nothing («مو زوجتي» at the member list picks no one). Both languages, through the real
 * MainDialog, recognizer and simulator.
 */
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { AHMED, MONA, OTP, harness, payFirstBill, play, startStatusSim, t, texts, toDuration, useSimulator, type Step } from './support';

let sim: Simulator;
let url: string;
useSimulator(startStatusSim, (running) => ({ sim, url } = running));

const pay = () => payFirstBill(url);
/** Verified, Mona, 6 months, confirmed: at the payment question. */
const toPayment = (lang: 'ar' | 'en'): Step[] => [
  ...toDuration(lang),
  [lang === 'ar' ? '٦ شهور' : '6 months', t(lang, 'iqama:review.ask')],
  [lang === 'ar' ? 'تأكيد' : 'confirm', t(lang, 'iqama:payAsk')],
];
const payLater = (lang: 'ar' | 'en') => t(lang, 'iqama:payLater').slice(0, 12);

describe('a negated answer at the payment question is "not paid", never "paid"', () => {
  it.each([
    ['ar', 'لسه ما دفعت'],
    ['ar', 'لا والله ما سددتها للحين'],
    ['ar', 'مب دافع'],
    ['en', "no, I haven't paid it yet"],
    ['en', 'not paid yet sorry'],
    ['en', 'i havent paid the bill'],
  ] as const)('%s: «%s» → pay later (bill kept), nothing submitted', async (lang, said) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    const turns = await play(h, [...toPayment(lang), [said, payLater(lang)]]);
    expect(texts(turns[5]!)).not.toMatch(lang === 'ar' ? /تم إرسال طلب/ : /has been submitted/);
    expect(sim.created).toMatchObject({ bills: 1, renewalRequests: 0 });
  });

  it.each([
    ['ar', 'لا ما سددت'],
    ['en', "no I haven't paid"],
  ] as const)('%s: «%s» while the bill happens to be paid still submits nothing', async (lang, said) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    await play(h, [...toPayment(lang), [said, payLater(lang)]], { 5: () => pay() });
    expect(sim.created.renewalRequests).toBe(0);
  });
});

describe('a negated name picks no one at the member list', () => {
  it.each([
    ['ar', 'مو زوجتي'],
    ['en', 'not my wife'],
  ] as const)('%s: «%s» → asked again, Mona not chosen', async (lang, said) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    const turns = await play(h, [
      [lang === 'ar' ? 'ابي اجدد اقامة' : 'renew an iqama', t(lang, 'verify:askId')],
      [AHMED, t(lang, 'verify:askCode', { mobile: '05******12' })],
      [OTP, t(lang, 'iqama:chooseIntro')],
      [said, []],
    ]);
    expect(texts(turns[3]!)).not.toContain(t(lang, 'iqama:duration', { name: MONA[lang] }));
  });
});
