/**
 * Transcript harness for the family tasks (travel permits, passport update): the real
 * MainDialog, language middleware and trained recognizer on botbuilder's TestAdapter, the
 * FAQ dialog (questions mid-flow) and the simulator over real HTTP (or a fault proxy).
 */
import { createTranslator } from '../../bot/i18n';
import { MusaedBot } from '../../bot/bot';
import type { Simulator } from '../../sim';
import { MainDialog } from '../../dialogs/mainDialog';
import type { FeatureDeps } from '../../dialogs/registry';
import { createTravelPermitDialogFactory } from '../../dialogs/family/travelPermitDialog';
import { createPassportUpdateDialogFactory } from '../../dialogs/family/passportUpdateDialog';
import { faqDialogFactory } from '../../dialogs/faqDialog';
import { handoffDialogFactory } from '../../dialogs/handoffDialog';
import { sharedRecognizer, testState, transcriptHarness, type TranscriptHarness } from '../helpers/transcript';
import { servicesFor } from '../iqama/support';

export { ABDULLAH, AHMED, BILAL, MOHAMMED, OTP, DAY, buttons, play, servicesFor, startIqamaSim as startFamilySim, texts, useSimulator, verifyAs, type Step } from '../iqama/support';
export const { t } = createTranslator();

export interface HarnessOptions {
  sim: Simulator;
  url: string;
  locale?: 'ar-SA' | 'en-US';
  channelId?: string;
}

export type Harness = Pick<TranscriptHarness, 'say' | 'data'>;

export function harness(options: HarnessOptions): Harness {
  const s = testState();
  const r = sharedRecognizer();
  const deps: FeatureDeps = { t, recognizer: r, state: s.state, services: servicesFor(options.url) };
  const now = () => new Date(options.sim.clock.now());
  const features = [createTravelPermitDialogFactory({ now })(deps), createPassportUpdateDialogFactory({ now })(deps), faqDialogFactory(deps), handoffDialogFactory(deps)];
  const mainDialog = new MainDialog({ t, recognizer: r, state: s.state, dialogState: s.dialogState }, features);
  const bot = new MusaedBot({ conversationState: s.conversationState, userState: s.userState, mainDialog, t, maxTextChars: 2000 });
  return transcriptHarness(s, (context) => bot.run(context), options);
}
