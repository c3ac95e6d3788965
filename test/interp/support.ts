/**
 * Harness for the in-task interpreter's transcripts: the real MainDialog with every task
 * dialog (iqama renewal, status lookup, Tawasul, FAQ, handoff), the trained recognizer, and the
 * services simulator over real HTTP (test/status/support.ts), with the review card's facts
 * read as text (test/iqama/support.ts).
 */
import type { Activity } from 'botbuilder';
import type { Simulator } from '../../sim';
import type { Recognizer } from '../../dialogs/understanding/types';
import { createIqamaRenewalDialogFactory } from '../../dialogs/iqamaRenewalDialog';
import { tawasulDialogFactory } from '../../dialogs/tawasulDialog';
import { faqDialogFactory } from '../../dialogs/faqDialog';
import { handoffDialogFactory } from '../../dialogs/handoffDialog';
import { harness as statusHarness, type Harness } from '../status/support';
import { texts } from '../iqama/support';
import { play as playTable, type Step } from '../helpers/transcript';

import { AHMED, OTP, t } from '../status/support';
export { AHMED, MOHAMMED, OTP, startStatusSim, t, useSimulator } from '../status/support';
export { buttons, type Step } from '../helpers/transcript';
export { texts };

export function harness(options: { sim: Simulator; url: string; locale?: 'ar-SA' | 'en-US'; recognizer?: Recognizer }): Harness {
  const renewal = createIqamaRenewalDialogFactory({ now: () => new Date(options.sim.clock.now()) });
  return statusHarness({ ...options, features: [renewal, tawasulDialogFactory, faqDialogFactory, handoffDialogFactory] });
}

export function play(h: Harness, steps: Step[], before: Record<number, () => Promise<void> | void> = {}): Promise<Partial<Activity>[][]> {
  return playTable(h, steps, before, texts);
}

export const MONA = { ar: 'منى إبراهيم السيد', en: 'Mona Ibrahim Elsayed' };

/** The simulator marks the first bill of a run paid (as the person would in Absher). */
export async function payFirstBill(url: string): Promise<void> {
  const res = await fetch(`${url}/_sim/bills/3000000101/pay`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`the simulator did not mark the bill paid: ${res.status}`);
}

/** Verified, Mona chosen by "my wife", at the duration question. */
export const toDuration = (lang: 'ar' | 'en'): Step[] => [
  [lang === 'ar' ? 'ابي اجدد اقامة زوجتي' : "I want to renew my wife's iqama", t(lang, 'verify:askId')],
  [AHMED, t(lang, 'verify:askCode', { mobile: '05******12' })],
  [OTP, t(lang, 'iqama:duration', { name: MONA[lang] })],
];
