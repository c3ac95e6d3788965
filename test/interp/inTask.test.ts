/**
 * Every message inside a task is read against the open step (dialogs/interpret): tables of
 * [user says, bot answers] in Arabic (MSA, Gulf dialect, no hamza, Arabic-Indic digits, typos)
 * and English, through the real MainDialog, trained recognizer and simulator over HTTP.
 */
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { AHMED, MONA, OTP, buttons, harness, payFirstBill, play, startStatusSim, t, texts, toDuration, useSimulator } from './support';

let sim: Simulator;
let url: string;
useSimulator(startStatusSim, (running) => ({ sim, url } = running));

const pay = () => payFirstBill(url);
const review = (lang: 'ar' | 'en', months: number) => `${t(lang, 'iqama:review.duration')}: ${t(lang, 'iqama:months', { count: months })}`;

describe('an answer inside a sentence wins over a global command', () => {
  it.each([
    ['ar', 'خلاص سددتها'],
    ['ar', 'خلاص دفعت'],
    ['en', "done, I've paid it"],
  ] as const)('%s: «%s» at the payment question submits the paid bill (not cancel)', async (lang, paid) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    await play(h, [
      ...toDuration(lang),
      [lang === 'ar' ? '٦ شهور' : '6 months', review(lang, 6)],
      [lang === 'ar' ? 'أكد' : 'looks good, go ahead', t(lang, 'iqama:payAsk')],
      [paid, lang === 'ar' ? /تم إرسال طلب تجديد إقامة منى/ : /Mona Ibrahim Elsayed's iqama renewal has been submitted/],
    ], { 5: () => pay() });
    expect(sim.created).toMatchObject({ bills: 1, renewalRequests: 1 });
  });
});

describe('a correction at the review applies its value and comes back to the review', () => {
  it.each([
    ['ar', 'لا غلطت، خلها ٦ شهور', 6],
    ['ar', 'بدل المده خلها سنه', 12],
    ['en', 'change the duration to 6 months', 6],
    ['en', 'actually make it 3 months', 3],
  ] as const)('%s: «%s» → review with %i months', async (lang, correction, months) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    const turns = await play(h, [
      ...toDuration(lang),
      [lang === 'ar' ? 'سنتين' : '2 years', t(lang, 'iqama:durationAgain')],
      [lang === 'ar' ? '3 اشهر' : '3 months', review(lang, 3)],
      [correction, [review(lang, months), t(lang, 'iqama:review.ask')]],
    ]);
    expect(buttons(turns[5]!)).toContain(t(lang, 'iqama:next.confirm'));
    expect(sim.created.bills).toBe(0);
  });

  it.each([
    ['ar', 'ابي اغير المدة', 'سنة', 12],
    ['en', 'I want to change the duration', 'one year', 12],
  ] as const)('%s: «%s» without a value asks the duration again, then back to the review', async (lang, change, answer, months) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    await play(h, [
      ...toDuration(lang),
      [lang === 'ar' ? '٣ شهور' : '3 months', review(lang, 3)],
      [change, t(lang, 'iqama:duration', { name: MONA[lang] })],
      [answer, review(lang, months)],
    ]);
  });

  it('ar: «لا مو زوجتي، بنتي ليلى» at the review changes the member to Layla', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ...toDuration('ar'),
      ['٦ شهور', review('ar', 6)],
      ['لا مو زوجتي، بنتي ليلى', /ليلى أحمد حسن/],
    ]);
  });
});

describe('a question in the middle of a step is answered, then the step is asked again', () => {
  it.each([
    ['ar', 'قبل لا اختار، وش الشروط المطلوبة للتجديد؟', '٦ شهور'],
    ['en', 'before I pick, what are the requirements for renewing an iqama?', '6 months'],
  ] as const)('%s: «%s» at the duration step', async (lang, question, answer) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    const turns = await play(h, [
      ...toDuration(lang),
      [question, [t(lang, 'faq:iqama_requirements.answer').slice(0, 40), t(lang, 'iqama:duration', { name: MONA[lang] })]],
      [answer, review(lang, 6)],
    ]);
    // The step's own buttons come back with it.
    expect(buttons(turns[3]!)).toContain(t(lang, 'iqama:durationOption', { count: 6, fee: 400 }));
  });
});

describe('a change of task leaves the old one and keeps the entities given', () => {
  it.each([
    ['ar', 'لا خلاص، بدال التجديد ابي اعرف وش صار على طلبي 400000101'],
    ['ar', 'بدال التجديد وش صار على طلبي ٤٠٠٠٠٠١٠١'],
    ['en', "forget the renewal, what's the status of my request 400000101"],
  ] as const)('%s: «%s» at the member list', async (lang, text) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    const turns = await play(h, [
      [lang === 'ar' ? 'ابي اجدد اقامة' : 'renew an iqama', t(lang, 'verify:askId')],
      [AHMED, t(lang, 'verify:askCode', { mobile: '05******12' })],
      [OTP, t(lang, 'iqama:chooseIntro')],
      [text, [t(lang, 'inTask.switched', { from: t(lang, 'intent.iqama_renew'), to: t(lang, 'intent.status_check') }), '400000101']],
    ]);
    expect(texts(turns[3]!)).not.toContain(t(lang, 'verify:askId'));
    expect((await h.data()).task?.intent).not.toBe('iqama.renew');
  });
});

describe('the ID step takes an ID inside a sentence; misses never dead-end', () => {
  it.each([
    ['ar', 'اسف غلطت، الصحيح 2345678904'],
    ['ar', 'رقم هويتي ٢٣٤٥٦٧٨٩٠٤'],
    ['en', 'sorry my mistake, it is 2345678904'],
  ] as const)('%s: «%s»', async (lang, text) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    await play(h, [
      [lang === 'ar' ? 'ابي اجدد اقامة' : 'renew an iqama', t(lang, 'verify:askId')],
      [text, t(lang, 'verify:askCode', { mobile: '05******12' })],
    ]);
  });

  it.each([
    ['ar', ['بطاطس', 'مدري والله', 'همممم']],
    ['en', ['potato', 'no idea', 'hmm']],
  ] as const)('%s: two misses at the duration step offer a way out; the third still gets help', async (lang, misses) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    const way = [t(lang, 'intent.menu'), t(lang, 'menu.agent'), t(lang, 'menu.tawasul')];
    const turns = await play(h, [
      ...toDuration(lang),
      [misses[0], t(lang, 'iqama:durationAgain')],
      [misses[1], [t(lang, 'iqama:durationAgain'), t(lang, 'inTask.wayOut')], way],
      [misses[2], [t(lang, 'iqama:durationAgain'), t(lang, 'inTask.wayOut')], way],
      // The way out works: the agent button leaves the step for the handoff.
      [way[1]!, t(lang, 'handoff:unavailable.noAgents').slice(0, 20)],
    ]);
    expect(texts(turns[3]!)).not.toContain(t(lang, 'inTask.wayOut'));
  });
});
