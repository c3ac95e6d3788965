/**
 * Transcript harness for the iqama renewal: the real MainDialog (routing, global commands),
 * language middleware and trained recognizer on botbuilder's TestAdapter, with the
 * services simulator over real HTTP (or a fault proxy in front of it). The simulator's clock
 * is frozen at the real "now", so session expiry (checked against real time by the identity
 * step) behaves as in production until a test moves the clock or expires the sessions.
 */
import type { Activity } from 'botbuilder';
import { createTranslator } from '../../bot/i18n';
import { MusaedBot } from '../../bot/bot';
import type { Simulator } from '../../sim';
import { createServicesClient } from '../../adapters/services';
import { MainDialog } from '../../dialogs/mainDialog';
import type { FeatureDeps } from '../../dialogs/registry';
import { createIqamaRenewalDialogFactory } from '../../dialogs/iqamaRenewalDialog';
import { handoffDialogFactory } from '../../dialogs/handoffDialog';
import {
  play as playTable,
  sharedRecognizer,
  startFrozenSim,
  testState,
  transcriptHarness,
  type Step,
  type TranscriptHarness,
} from '../helpers/transcript';

export { ABDULLAH, AHMED, BILAL, HOUR, MOHAMMED, buttons, sharedRecognizer, useSimulator, type Step } from '../helpers/transcript';
export const OTP = '731946';
export const IQAMA_DB = 7;
export const DAY = 24 * 3600_000;
const API_KEY = 'iqama-test-key';

export const { t } = createTranslator();

export function startIqamaSim(): Promise<{ sim: Simulator; url: string }> {
  return startFrozenSim(OTP, API_KEY);
}

export function servicesFor(url: string) {
  return createServicesClient({ baseUrl: url, apiKey: API_KEY, timeoutMs: 3000, retry: { retries: 1, initialDelayMs: 5, maxDelayMs: 20 } });
}

export interface HarnessOptions {
  sim: Simulator;
  /** Services base URL (the simulator, or a fault proxy in front of it). */
  url: string;
  locale?: 'ar-SA' | 'en-US';
  channelId?: string;
}

export type Harness = Pick<TranscriptHarness, 'say' | 'data'>;

export function harness(options: HarnessOptions): Harness {
  const s = testState();
  const r = sharedRecognizer();
  const deps: FeatureDeps = { t, recognizer: r, state: s.state, services: servicesFor(options.url) };
  const renewal = createIqamaRenewalDialogFactory({ now: () => new Date(options.sim.clock.now()) });
  const mainDialog = new MainDialog({ t, recognizer: r, state: s.state, dialogState: s.dialogState }, [renewal(deps), handoffDialogFactory(deps)]);
  const bot = new MusaedBot({ conversationState: s.conversationState, userState: s.userState, mainDialog, t, maxTextChars: 2000 });
  return transcriptHarness(s, (context) => bot.run(context), options);
}

/** The replies' text, with the review card's facts flattened in ("title: value" lines). */
export const texts = (replies: Partial<Activity>[]): string =>
  replies
    .flatMap((r) => [r.text ?? '', ...(r.attachments ?? []).map((a) => cardText(a.content))])
    .filter(Boolean)
    .join('\n');

function cardText(content: unknown): string {
  const body = (content as { body?: Array<{ type: string; text?: string; facts?: Array<{ title: string; value: string }> }> } | undefined)?.body ?? [];
  return body.map((b) => (b.type === 'FactSet' ? (b.facts ?? []).map((f) => `${f.title}: ${f.value}`).join('\n') : (b.text ?? ''))).join('\n');
}

/** Plays a conversation table (card facts count as text); `before` runs before a step (by index), e.g. to pay a bill. */
export function play(h: Harness, steps: Step[], before: Record<number, () => Promise<void> | void> = {}): Promise<Partial<Activity>[][]> {
  return playTable(h, steps, before, texts);
}

/** Verification: ID number → code. */
export function verifyAs(id: string, lang: 'ar' | 'en', mobile: string): Step[] {
  return [[id, t(lang, 'verify:askCode', { mobile })]];
}
