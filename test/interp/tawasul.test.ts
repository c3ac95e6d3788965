/**
 * Tawasul through the interpreter: loose section titles, the whole step (buttons included)
 * re-rendered on a language switch, the verified user's dependents offered as beneficiary.
 */
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { AHMED, OTP, buttons, harness, play, startStatusSim, t, useSimulator, type Step } from './support';

let sim: Simulator;
let url: string;
useSimulator(startStatusSim, (running) => ({ sim, url } = running));

const start = (lang: 'ar' | 'en'): Step[] => [
  [lang === 'ar' ? 'ابي ارفع طلب تواصل' : 'I want to open a Tawasul request', t(lang, 'verify:askId')],
  [AHMED, t(lang, 'verify:askCode', { mobile: '05******12' })],
  [OTP, t(lang, 'tawasul:askSection')],
];

describe('Tawasul steps read loosely', () => {
  it.each([
    ['ar', 'استفسار عام', 'موضوع الاستفسار'],
    ['ar', 'ابي استفسارات عامه', 'موضوع الاستفسار'],
    ['en', 'general inquiry', 'Topic'],
  ] as const)('%s: «%s» picks the general inquiries (its only type asks «%s»)', async (lang, said, section) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    const turns = await play(h, [...start(lang), [said, section]]);
    expect(turns[3]!.map((r) => r.text).join()).not.toContain(t(lang, 'prompts:retry.choice'));
  });

  it('«can you continue in English please» at the section step re-renders text and buttons in English', async () => {
    const h = harness({ sim, url });
    const turns = await play(h, [...start('ar'), ['can you continue in English please', [t('en', 'language.switched'), t('en', 'tawasul:askSection')], ['Data correction', 'General inquiries']]]);
    expect(buttons(turns[3]!)).not.toContain('تصحيح البيانات');
  });

  it.each([
    ['ar', 'بنتي ليلى', 'تصحيح البيانات'],
    ['ar', 'ليلى', 'تصحيح البيانات'],
    ['en', "my daughter Layla", 'Data correction'],
  ] as const)('%s: the beneficiary step offers the dependents; «%s» is taken', async (lang, said, section) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    const turns = await play(h, [
      ...start(lang),
      [section, t(lang, 'tawasul:askType', { section: section })],
      [lang === 'ar' ? 'الثاني' : 'the second', /رقم هوية المستفيد|Beneficiary's ID number/],
      [said, /تاريخ الميلاد الصحيح|[Cc]orrect date of birth/],
    ]);
    expect(buttons(turns[4]!)).toContain(lang === 'ar' ? 'ليلى أحمد حسن' : 'Layla Ahmed Hassan');
  });
});
