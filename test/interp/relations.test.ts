/**
 * The family member named in the opening message is picked without showing the list, however
 * the relation is written: behind a proclitic («للزوجة», «لوالدتي»), as a Gulf phrase
 * («ام عيالي»), in Arabizi ("marti"), or as an English possessive without its apostrophe
 * ("my moms iqama"). The shared entity extractor (dialogs/understanding/entities.ts) reads it.
 */
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { AHMED, MONA, OTP, harness, play, startStatusSim, t, texts, useSimulator } from './support';

let sim: Simulator;
let url: string;
useSimulator(startStatusSim, (running) => ({ sim, url } = running));


describe('the relation in the opening message picks the member', () => {
  it.each([
    ['ar', 'بغيت اجدد الاقامة للزوجة'],
    ['ar', 'ابغى اجدد اقامه لحرمتي'],
    ['ar', 'ودي اجدد اقامة ام عيالي'],
    ['ar', 'ابي اجدد اقامه المدام'],
    ['ar', 'ab8a ajaded iqamat marti'],
    ['en', 'please renew the wifes iqama'],
    ['en', 'renew iqama of my wifes'],
  ] as const)('%s: «%s» → the duration question for Mona, no list', async (lang, opening) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    const turns = await play(h, [
      [opening, t(lang, 'verify:askId')],
      [AHMED, t(lang, 'verify:askCode', { mobile: '05******12' })],
      [OTP, t(lang, 'iqama:duration', { name: MONA[lang] })],
    ]);
    expect(texts(turns[2]!)).not.toContain(t(lang, 'iqama:chooseIntro'));
  });

  it.each([
    ['ar', 'ابي اجدد اقامة لوالدتي'],
    ['en', 'need to renew my moms iqama'],
  ] as const)('%s: «%s» → Fatma (the mother), no list', async (lang, opening) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    const turns = await play(h, [
      [opening, t(lang, 'verify:askId')],
      [AHMED, t(lang, 'verify:askCode', { mobile: '05******12' })],
      [OTP, lang === 'ar' ? /فاطمة محمود علي/ : /Fatma Mahmoud Ali/],
    ]);
    expect(texts(turns[2]!)).not.toContain(t(lang, 'iqama:chooseIntro'));
  });
});
