/**
 * A change of task mid-flow stops the old task and says so; once the new task ends, the bot
 * offers the stopped one again (once), as an agent would ("shall we go back to the renewal?").
 * Tapping it starts that task again with the verified session kept; "cancel" drops the offer.
 */
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { AHMED, OTP, buttons, harness, play, startStatusSim, t, texts, useSimulator, type Step } from './support';

let sim: Simulator;
let url: string;
useSimulator(startStatusSim, (running) => ({ sim, url } = running));

const atMemberList = (lang: 'ar' | 'en'): Step[] => [
  [lang === 'ar' ? 'ودي اجدد اقامه' : 'I need to renew an iqama', t(lang, 'verify:askId')],
  [AHMED, t(lang, 'verify:askCode', { mobile: '05******12' })],
  [OTP, t(lang, 'iqama:chooseIntro')],
];
const offer = (lang: 'ar' | 'en') => t(lang, 'inTask.resumeOffer', { task: t(lang, 'intent.iqama_renew') });

describe('after a switch, the stopped task is offered again when the new one ends', () => {
  it.each([
    ['ar', 'اتركه الحين، ابي اشوف حالة الطلب ٤٠٠٠٠٠١٠١'],
    ['en', 'never mind the renewal, check request 400000101 for me'],
  ] as const)('%s: «%s»', async (lang, sw) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    const turns = await play(h, [
      ...atMemberList(lang),
      [sw, [t(lang, 'inTask.switched', { from: t(lang, 'intent.iqama_renew'), to: t(lang, 'intent.status_check') }), '400000101', offer(lang)]],
      // The offered button starts the renewal again; the verified session is kept (no ID asked).
      [t(lang, 'intent.iqama_renew'), t(lang, 'iqama:chooseIntro')],
    ]);
    expect(buttons(turns[3]!)).toEqual(expect.arrayContaining([t(lang, 'intent.iqama_renew'), t(lang, 'intent.menu')]));
    expect(texts(turns[4]!)).not.toContain(t(lang, 'verify:askId'));
    // Offered once only.
    const after = await h.say(lang === 'ar' ? 'وش الشروط المطلوبة للتجديد' : 'what are the requirements to renew');
    expect(texts(after)).not.toContain(offer(lang));
  });

  it.each(['ar', 'en'] as const)('%s: cancelling the new task drops the offer', async (lang) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    const turns = await play(h, [
      ...atMemberList(lang),
      [lang === 'ar' ? 'خلني من التجديد، ابي افتح طلب تواصل' : 'forget the renewal, I want to open a Tawasul request', t(lang, 'tawasul:askSection')],
      [lang === 'ar' ? 'إلغاء' : 'cancel', t(lang, 'cancel.done')],
    ]);
    expect(texts(turns[4]!)).not.toContain(offer(lang));
  });
});
