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
