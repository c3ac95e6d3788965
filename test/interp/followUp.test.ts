/**
 * Follow-ups that lean on the last answer resolve from the conversation's context (the last
 * lookup): «وتاشيرة عمر؟» and "and my own?" after a dependents answer, "why was it rejected?"
 * after a rejected ticket (answered from the ticket's data).
 */
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { resolveFollowUp } from '../../dialogs/interpret/followUp';
import { AHMED, MOHAMMED, OTP, harness, play, startStatusSim, t, useSimulator } from './support';
import { sharedRecognizer } from '../helpers/transcript';
import type { Recognizer } from '../../dialogs/understanding/types';

let sim: Simulator;
let url: string;
useSimulator(startStatusSim, (running) => ({ sim, url } = running));

describe('follow-ups resolve against the last lookup', () => {
  it('ar: «وتاشيرة عمر؟» then «وانا؟» after the wife\'s iqama', async () => {
    const h = harness({ sim, url });
    const turns = await play(h, [
      ['متى تنتهي اقامة زوجتي', t('ar', 'verify:askId')],
      [AHMED, t('ar', 'verify:askCode', { mobile: '05******12' })],
      [OTP, 'منى'],
      ['وتاشيرة عمر؟', t('ar', 'status:visas.intro')],
      ['وانا؟', /إقامتك \(أحمد/],
    ]);
    expect(turns[3]!.map((r) => r.text).join()).not.toContain(t('ar', 'notUnderstood.first'));
  });

  it('en: "why was it rejected?" after a rejected ticket answers from the ticket', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    const turns = await play(h, [
      ['what happened to my request 700000103', t('en', 'verify:askId')],
      [MOHAMMED, t('en', 'verify:askCode', { mobile: '05******47' }).slice(0, 10)],
      [OTP, '700000103'],
      ['why was it rejected?', '700000103'],
      ['and my own?', /Your iqama/],
    ]);
    expect(turns[3]!.map((r) => r.text).join()).toMatch(/rejected/i);
  });

  it.each([
    ['وتاشيرة عمر؟', { kind: 'dependents' as const }, { target: { kind: 'visas', person: 'عمر' } }],
    ['and my own?', { kind: 'dependents' as const }, { target: { kind: 'myIqama' } }],
    ['ليش انرفض؟', { kind: 'request' as const, number: '700000103' }, { target: { kind: 'request' }, number: '700000103' }],
    ['ليش؟', { kind: 'myIqama' as const }, undefined],
    ['ابي اجدد اقامة زوجتي', { kind: 'dependents' as const }, undefined],
    // The same thing for someone else: a visa stays a visa, an iqama stays an iqama.
    ["what about my daughter Nour's", { kind: 'request' as const, number: '400000104', about: 'exit_reentry_visa' as const }, { target: { kind: 'visas', relation: 'daughter', person: 'nour' } }],
    ['طيب وبنتي نور؟', { kind: 'visas' as const }, { target: { kind: 'visas', relation: 'daughter', person: 'نور' } }],
    ['and Youssef?', { kind: 'dependents' as const }, { target: { kind: 'dependents', person: 'youssef' } }],
    ['وامي؟', { kind: 'myIqama' as const }, { target: { kind: 'dependents', relation: 'mother' } }],
    // Not follow-ups: common words after «و», a new number.
    ['وين الفرع؟', { kind: 'dependents' as const }, undefined],
    ['والله ما فهمت', { kind: 'dependents' as const }, undefined],
    ['and 400000102?', { kind: 'request' as const, number: '400000101' }, undefined],
  ])('«%s» → %j', (text, last, resolved) => expect(resolveFollowUp(text, last)).toEqual(resolved));
});

/** The replies of the last turn must match `wanted` and must not contain `unwanted`. */
const only = (wanted: RegExp, unwanted: string): RegExp => new RegExp(`^(?![\\s\\S]*${unwanted})[\\s\\S]*${wanted.source}`);

describe('a follow-up names a person: the same thing, for them', () => {
  // [case, locale, first message, who signs in, follow-up, what the answer must say (and not)]
  it.each([
    ['ar: a visa by number, then «طيب وولدي عمر؟» → Omar\'s visa only', 'ar-SA', 'ابي اعرف حالة الطلب ٤٠٠٠٠٠١٠٤', AHMED, 'طيب وولدي عمر؟', only(/400000105/, '400000104')],
    ['en: a visa by number, then "what about Omar\'s?" → Omar\'s visa only', 'en-US', "what's happening with 400000104", AHMED, "what about Omar's?", only(/400000105/, '400000104')],
    ['ar: the daughters\' iqamas, then «ونور؟» → Nour only', 'ar-SA', 'متى تنتهي اقامة بنتي', AHMED, 'ونور؟', only(/نور أحمد حسن/, 'ليلى')],
    ['en: the mother\'s iqama, then "and Youssef?" → Youssef', 'en-US', "when does my mother's iqama run out", AHMED, 'and Youssef?', only(/Youssef Ahmed Hassan/, 'Fatma')],
    ['ar: a rejected ticket, then «ليش رفضوا الطلب؟» (read as cancel) → the reason', 'ar-SA', 'ابي اعرف وش صار على التذكرة 700000103', MOHAMMED, 'ليش رفضوا الطلب؟', /700000103[\s\S]*ليس على كفالتك/],
    ['en: a rejected ticket, then "why was it declined" (read as cancel) → the reason', 'en-US', 'any news on ticket 700000103?', MOHAMMED, 'why was it declined', /700000103[\s\S]*not under your sponsorship/],
  ] as const)('%s', async (_case, locale, first, who, followUp, answer) => {
    const h = harness({ sim, url, locale });
    const lang = locale === 'ar-SA' ? 'ar' : 'en';
    await play(h, [
      [first, t(lang, 'verify:askId')],
      [who, t(lang, 'verify:askCode', { mobile: who === AHMED ? '05******12' : '05******47' })],
      [OTP, t(lang, 'status:after')],
      [followUp, answer],
    ]);
  });
});

describe('"did you mean…?" keeps the number the user typed', () => {
  // The trained model rarely hesitates on this: a recognizer that does, for one message.
  const hesitant: Recognizer = {
    recognize(text, hint) {
      const u = sharedRecognizer().recognize(text, hint);
      return text === 'تابع 400000101' ? { ...u, intent: 'status.check', score: 0.5, alternative: { intent: 'tawasul.create', score: 0.48 } } : u;
    },
  };
  it('ar: tapping «متابعة طلب» looks up 400000101 without asking for it again', async () => {
    const h = harness({ sim, url, recognizer: hesitant });
    await play(h, [
      ['تابع 400000101', t('ar', 'ambiguous', { a: t('ar', 'intent.status_check'), b: t('ar', 'intent.tawasul_create') })],
      [t('ar', 'menu.status'), t('ar', 'verify:askId')],
      [AHMED, t('ar', 'verify:askCode', { mobile: '05******12' })],
      [OTP, '400000101'],
    ]);
    expect((await h.data()).pendingNumber).toBeUndefined();
  });
  // Asked "did you mean…?", people often just type what the task needs: the ID answers it.
  const torn: Recognizer = {
    recognize(text, hint) {
      const u = sharedRecognizer().recognize(text, hint);
      return text === 'ابي اشوف طلبي' ? { ...u, intent: 'status.check', score: 0.46, alternative: { intent: 'faq', score: 0.45, faq: 'track_request' } } : u;
    },
  };
  it.each([
    ['ID typed in Arabic-Indic digits', '٢٣٤٥٦٧٨٩٠٤'],
    ['ID inside a sentence', 'هذي هويتي 2345678904'],
  ])('ar: an %s after "did you mean…?" starts the lookup and is used for the code, not asked again', async (_what, id) => {
    const h = harness({ sim, url, recognizer: torn });
    await play(h, [
      ['ابي اشوف طلبي', t('ar', 'ambiguous', { a: t('ar', 'intent.status_check'), b: t('ar', 'faq:track_request.question') })],
      [id, t('ar', 'verify:askCode', { mobile: '05******12' })],
      [OTP, t('ar', 'status:ask.what')],
      ['400000101', '400000101'],
    ]);
    expect((await h.data()).pendingTask).toBeUndefined();
  });
});
