/**
 * A language switch at a Tawasul field re-renders the whole step: the question, its hint and the
 * buttons made from data (the verified user's dependents offered as beneficiary), which are
 * carried in both languages by the prompt (dialogs/localizedPrompt.ts, `buttons`).
 */
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { AHMED, OTP, buttons, harness, play, startStatusSim, t, useSimulator } from './support';

let sim: Simulator;
let url: string;
useSimulator(startStatusSim, (running) => ({ sim, url } = running));

const LAYLA = { ar: 'ليلى أحمد حسن', en: 'Layla Ahmed Hassan' };
const SECTION = { ar: 'تصحيح البيانات', en: 'Data correction' };

describe('switching language at the beneficiary step keeps the dependents as buttons', () => {
  it.each([
    ['ar', 'en', 'could you continue in english'],
    ['en', 'ar', 'ممكن تكلمني عربي'],
  ] as const)('%s → %s: «%s»', async (from, to, ask) => {
    const h = harness({ sim, url, locale: from === 'ar' ? 'ar-SA' : 'en-US' });
    const turns = await play(h, [
      [from === 'ar' ? 'ابي ارفع طلب تواصل' : 'I want to open a Tawasul request', t(from, 'verify:askId')],
      [AHMED, t(from, 'verify:askCode', { mobile: '05******12' })],
      [OTP, t(from, 'tawasul:askSection')],
      [SECTION[from], t(from, 'tawasul:askType', { section: SECTION[from] })],
      [from === 'ar' ? 'الثاني' : 'the second', /رقم هوية المستفيد|Beneficiary's ID number/],
      [ask, [t(to, 'language.switched'), t(to, 'tawasul:hint.idNumber')]],
      // The re-rendered buttons still work: tapping one in the new language takes it.
      [LAYLA[to], /تاريخ الميلاد الصحيح|[Cc]orrect date of birth/],
    ]);
    expect(buttons(turns[4]!)).toContain(LAYLA[from]);
    expect(buttons(turns[5]!)).toContain(LAYLA[to]);
    expect(buttons(turns[5]!)).not.toContain(LAYLA[from]);
  });
});
