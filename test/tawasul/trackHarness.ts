/**
 * Transcript harness for the Tawasul tracker: the dialog on botbuilder's TestAdapter with the
 * language middleware, the real identity step and the services simulator over real HTTP.
 * Each turn continues the dialog, or starts it with the message as the router would
 * (`{ text }`). "English"/"العربية" switch the language the way MainDialog does (saved
 * preference, prompts re-rendered, reprompt), so a re-rendered question can be checked.
 */
import { DialogSet, DialogTurnStatus } from 'botbuilder-dialogs';
import { createTranslator } from '../../bot/i18n';
import type { Simulator } from '../../sim';
import { createServicesClient } from '../../adapters/services';
import type { FeatureDeps } from '../../dialogs/registry';
import { relocalizeStack } from '../../dialogs/localizedPrompt';
import { setTurnLang } from '../../dialogs/turnState';
import { TAWASUL_TRACK_ID, TawasulTrackDialog } from '../../dialogs/tawasul/trackDialog';
import { ruleRecognizer } from '../helpers/ruleRecognizer';
import { startFrozenSim, testState, transcriptHarness, type TranscriptHarness } from '../helpers/transcript';

export { ABDULLAH, AHMED, BILAL, HOUR, MOHAMMED, buttons, play, texts, type Step } from '../helpers/transcript';
export const OTP = '615204';
export const API_KEY = 'tawasul-test-key';

export const { t } = createTranslator();

export function startTawasulSim(): Promise<{ sim: Simulator; url: string }> {
  return startFrozenSim(OTP, API_KEY);
}

export interface TrackHarness extends Pick<TranscriptHarness, 'say' | 'data'> {
  /** Whether the dialog is still waiting for an answer. */
  active(): boolean;
}

export function trackHarness(options: { url: string; locale?: 'ar-SA' | 'en-US' }): TrackHarness {
  const s = testState();
  const services = createServicesClient({ baseUrl: options.url, apiKey: API_KEY, timeoutMs: 3000, retry: { retries: 1, initialDelayMs: 5, maxDelayMs: 20 } });
  const deps: FeatureDeps = { t, recognizer: ruleRecognizer(), state: s.state, services };
  const dialogs = new DialogSet(s.dialogState).add(new TawasulTrackDialog(deps));
  let isActive = false;
  const h = transcriptHarness(s, async (context) => {
    const dc = await dialogs.createContext(context);
    const text = context.activity.text ?? '';
    const lang = text === 'English' ? 'en' : text === 'العربية' ? 'ar' : undefined;
    if (lang && dc.activeDialog) {
      const profile = await s.state.profile.get(context, {});
      profile.language = lang;
      setTurnLang(context, lang);
      relocalizeStack(dc.stack, t, lang);
      await dc.repromptDialog();
    } else {
      const result = await dc.continueDialog();
      if (result.status === DialogTurnStatus.empty) await dc.beginDialog(TAWASUL_TRACK_ID, { text });
    }
    isActive = dc.activeDialog !== undefined;
    await s.conversationState.saveChanges(context, false);
    await s.userState.saveChanges(context, false);
  }, { locale: options.locale });
  return { say: h.say, data: h.data, active: () => isActive };
}
