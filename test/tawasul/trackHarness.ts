/**
 * Transcript harness for the Tawasul tracker: the dialog on botbuilder's TestAdapter with the
 * language middleware, the real identity step and the services simulator over real HTTP.
 * Each turn continues the dialog, or starts it with the message as the router would
 * (`{ text }`). "English"/"العربية" switch the language the way MainDialog does (saved
 * preference, prompts re-rendered, reprompt), so a re-rendered question can be checked.
 */
import { type Activity, ConversationState, MemoryStorage, TestAdapter, UserState } from 'botbuilder';
import { DialogSet, type DialogState, DialogTurnStatus } from 'botbuilder-dialogs';
import { expect } from 'vitest';
import { createTranslator } from '../../bot/i18n';
import { languageMiddleware } from '../../bot/middleware/language';
import { createSimClock, createSimulator, type Simulator } from '../../sim';
import { createServicesClient } from '../../adapters/services';
import type { ConversationData, StateAccessors, UserProfile } from '../../dialogs/deps';
import type { FeatureDeps } from '../../dialogs/registry';
import { relocalizeStack } from '../../dialogs/localizedPrompt';
import { setTurnLang } from '../../dialogs/turnState';
import { TAWASUL_TRACK_ID, TawasulTrackDialog } from '../../dialogs/tawasul/trackDialog';
import { ruleRecognizer } from '../helpers/ruleRecognizer';

export const OTP = '615204';
export const AHMED = '2345678904';
export const MOHAMMED = '2100398474';
export const ABDULLAH = '1104837263';
export const BILAL = '2475512550';
export const HOUR = 3600_000;
export const API_KEY = 'tawasul-test-key';

export const { t } = createTranslator();

export async function startTawasulSim(): Promise<{ sim: Simulator; url: string }> {
  const sim = createSimulator({ clock: createSimClock({ start: new Date(), frozen: true }), otpCode: OTP, apiKey: API_KEY, admin: true, autoPayBillsAfterMs: null });
  const { url } = await sim.start();
  return { sim, url };
}

export interface TrackHarness {
  say(text: string): Promise<Partial<Activity>[]>;
  data(): Promise<ConversationData>;
  /** Whether the dialog is still waiting for an answer. */
  active(): boolean;
}

export function trackHarness(options: { url: string; locale?: 'ar-SA' | 'en-US' }): TrackHarness {
  const storage = new MemoryStorage();
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const state: StateAccessors = {
    profile: userState.createProperty<UserProfile>('profile'),
    conversation: conversationState.createProperty<ConversationData>('data'),
  };
  const dialogState = conversationState.createProperty<DialogState>('dialogState');
  const services = createServicesClient({ baseUrl: options.url, apiKey: API_KEY, timeoutMs: 3000, retry: { retries: 1, initialDelayMs: 5, maxDelayMs: 20 } });
  const deps: FeatureDeps = { t, recognizer: ruleRecognizer(), state, services };
  const dialogs = new DialogSet(dialogState).add(new TawasulTrackDialog(deps));
  let isActive = false;
  const adapter = new TestAdapter(async (context) => {
    const dc = await dialogs.createContext(context);
    const text = context.activity.text ?? '';
    const lang = text === 'English' ? 'en' : text === 'العربية' ? 'ar' : undefined;
    if (lang && dc.activeDialog) {
      const profile = await state.profile.get(context, {});
      profile.language = lang;
      setTurnLang(context, lang);
      relocalizeStack(dc.stack, t, lang);
      await dc.repromptDialog();
    } else {
      const result = await dc.continueDialog();
      if (result.status === DialogTurnStatus.empty) await dc.beginDialog(TAWASUL_TRACK_ID, { text });
    }
    isActive = dc.activeDialog !== undefined;
    await conversationState.saveChanges(context, false);
    await userState.saveChanges(context, false);
  }, { channelId: 'test', locale: options.locale ?? 'ar-SA', from: { id: `user-${Math.random().toString(36).slice(2)}`, name: 'tester' } });
  adapter.use(languageMiddleware(state));
  let conversationKey: string | undefined;
  adapter.use({
    async onTurn(context, next) {
      conversationKey = `${context.activity.channelId}/conversations/${context.activity.conversation.id}/`;
      await next();
    },
  });
  return {
    async say(text) {
      adapter.activeQueue.splice(0);
      await adapter.receiveActivity(text);
      return adapter.activeQueue.splice(0).filter((a) => a.type === 'message');
    },
    async data() {
      const fresh = await storage.read([conversationKey ?? '']);
      return (fresh[conversationKey ?? ''] as { data?: ConversationData } | undefined)?.data ?? {};
    },
    active: () => isActive,
  };
}

export const texts = (replies: Partial<Activity>[]): string => replies.map((r) => r.text ?? '').join('\n');
export const buttons = (replies: Partial<Activity>[]): string[] => replies.flatMap((r) => (r.suggestedActions?.actions ?? []).map((a) => String(a.title)));

/** [user says, the replies must contain (every fragment / match), buttons they must offer] */
export type Step = [string, string | RegExp | Array<string | RegExp>, string[]?];

export async function play(h: TrackHarness, steps: Step[]): Promise<Partial<Activity>[][]> {
  const all: Partial<Activity>[][] = [];
  for (const [i, [userSays, expected, expectedButtons]] of steps.entries()) {
    const replies = await h.say(userSays);
    all.push(replies);
    const text = texts(replies);
    for (const e of Array.isArray(expected) ? expected : [expected]) {
      if (typeof e === 'string') expect(text, `step ${i} after "${userSays}"`).toContain(e);
      else expect(text, `step ${i} after "${userSays}"`).toMatch(e);
    }
    for (const b of expectedButtons ?? []) expect(buttons(replies), `buttons at step ${i} after "${userSays}"`).toContain(b);
  }
  return all;
}
