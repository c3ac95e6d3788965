/**
 * Transcript harness for the status lookup: the real MainDialog (routing, global commands),
 * the language middleware and the real recognizer on botbuilder's TestAdapter, with the
 * services simulator over real HTTP. The simulator's clock is frozen at the real "now" so
 * that session expiry (checked against real time by the verification step) behaves as in
 * production until a test moves the clock.
 */
import { createTranslator } from '../../bot/i18n';
import { MusaedBot } from '../../bot/bot';
import type { Simulator } from '../../sim';
import { createServicesClient } from '../../adapters/services';
import { MainDialog } from '../../dialogs/mainDialog';
import type { Recognizer } from '../../dialogs/understanding/types';
import type { DialogFactory, FeatureDeps } from '../../dialogs/registry';
import { createStatusLookupDialogFactory, type StatusLookupOptions } from '../../dialogs/statusLookupDialog';
import type { RedisConnection } from '../../bot/storage/redisClient';
import { sharedRecognizer, startFrozenSim, testState, transcriptHarness, type TranscriptHarness } from '../helpers/transcript';

export { ABDULLAH, AHMED, BILAL, HOUR, MOHAMMED, buttons, play, sharedRecognizer, texts, useSimulator, type Step } from '../helpers/transcript';
export const OTP = '482913';
export const STATUS_DB = 9;
const API_KEY = 'status-test-key';

export const { t } = createTranslator();

export function startStatusSim(): Promise<{ sim: Simulator; url: string }> {
  return startFrozenSim(OTP, API_KEY);
}

export interface HarnessOptions {
  sim: Simulator;
  /** Services base URL (the simulator, or a fault proxy in front of it). */
  url: string;
  locale?: 'ar-SA' | 'en-US';
  redis?: RedisConnection;
  redisPrefix?: string;
  limit?: StatusLookupOptions['limit'];
  channelId?: string;
  userId?: string;
  /** Other feature dialogs next to the status lookup (e.g. iqama renewal). */
  features?: DialogFactory[];
  /** The attachment reader bot/app.ts would wire (default: none, data: URLs only). */
  attachments?: FeatureDeps['attachments'];
  /** Another recognizer (default: the trained one). */
  recognizer?: Recognizer;
}

export type Harness = TranscriptHarness;

export function harness(options: HarnessOptions): Harness {
  const s = testState();
  const services = createServicesClient({ baseUrl: options.url, apiKey: API_KEY, timeoutMs: 3000, retry: { retries: 2, initialDelayMs: 5, maxDelayMs: 20 } });
  const r = options.recognizer ?? sharedRecognizer();
  const deps: FeatureDeps = { t, recognizer: r, state: s.state, services, redis: options.redis, redisPrefix: options.redisPrefix, attachments: options.attachments };
  const factory = createStatusLookupDialogFactory({ limit: options.limit, now: () => new Date(options.sim.clock.now()) });
  const mainDialog = new MainDialog({ t, recognizer: r, state: s.state, dialogState: s.dialogState }, [factory(deps), ...(options.features ?? []).map((f) => f(deps))]);
  const bot = new MusaedBot({ conversationState: s.conversationState, userState: s.userState, mainDialog, t, maxTextChars: 2000 });
  return transcriptHarness(s, (context) => bot.run(context), options);
}
