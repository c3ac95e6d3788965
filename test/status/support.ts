/**
 * Transcript harness for the status lookup: the real MainDialog (routing, global commands),
 * the language middleware and the real recognizer on botbuilder's TestAdapter, with the
 * services simulator over real HTTP. The simulator's clock is frozen at the real "now" so
 * that session expiry (checked against real time by the verification step) behaves as in
 * production until a test moves the clock.
 */
import { type Activity, ConversationState, MemoryStorage, TestAdapter, UserState } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { expect } from 'vitest';
import { createTranslator } from '../../bot/i18n';
import { MusaedBot } from '../../bot/bot';
import { languageMiddleware } from '../../bot/middleware/language';
import { createSimClock, createSimulator, type Simulator } from '../../sim';
import { createServicesClient } from '../../adapters/services';
import { MainDialog } from '../../dialogs/mainDialog';
import type { ConversationData, StateAccessors, UserProfile } from '../../dialogs/deps';
import type { DialogFactory, FeatureDeps } from '../../dialogs/registry';
import { createStatusLookupDialogFactory, type StatusLookupOptions } from '../../dialogs/statusLookupDialog';
import { createRecognizer } from '../../dialogs/understanding/recognizer';
import type { Recognizer } from '../../dialogs/understanding/types';
import type { RedisConnection } from '../../bot/storage/redisClient';

export const OTP = '482913';
export const AHMED = '2345678904';
export const MOHAMMED = '2100398474';
export const ABDULLAH = '1104837263';
export const BILAL = '2475512550';
export const STATUS_DB = 9;
export const HOUR = 3600_000;

export const { t } = createTranslator();

export async function startStatusSim(): Promise<{ sim: Simulator; url: string }> {
  const sim = createSimulator({
    clock: createSimClock({ start: new Date(), frozen: true }),
    otpCode: OTP,
    apiKey: 'status-test-key',
    admin: true,
    autoPayBillsAfterMs: null,
  });
  const { url } = await sim.start();
  return { sim, url };
}

let recognizer: Recognizer | undefined;
/** The trained recognizer, built once for the file (training takes about a second). */
export function sharedRecognizer(): Recognizer {
  return (recognizer ??= createRecognizer());
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
}

export interface Harness {
  /** Sends one message and returns the bot's replies in that turn. */
  say(text: string): Promise<Partial<Activity>[]>;
  /** Sends a whole message activity (e.g. with attachments) and returns the replies. */
  sayActivity(activity: Partial<Activity>): Promise<Partial<Activity>[]>;
  data(): Promise<ConversationData>;
}

export function harness(options: HarnessOptions): Harness {
  const storage = new MemoryStorage();
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const state: StateAccessors = {
    profile: userState.createProperty<UserProfile>('profile'),
    conversation: conversationState.createProperty<ConversationData>('data'),
  };
  const dialogState = conversationState.createProperty<DialogState>('dialogState');
  const services = createServicesClient({ baseUrl: options.url, apiKey: 'status-test-key', timeoutMs: 3000, retry: { retries: 2, initialDelayMs: 5, maxDelayMs: 20 } });
  const r = sharedRecognizer();
  const deps: FeatureDeps = { t, recognizer: r, state, services, redis: options.redis, redisPrefix: options.redisPrefix };
  const factory = createStatusLookupDialogFactory({ limit: options.limit, now: () => new Date(options.sim.clock.now()) });
  const mainDialog = new MainDialog({ t, recognizer: r, state, dialogState }, [factory(deps), ...(options.features ?? []).map((f) => f(deps))]);
  const bot = new MusaedBot({ conversationState, userState, mainDialog, t, maxTextChars: 2000 });
  const adapter = new TestAdapter(async (context) => bot.run(context), {
    channelId: options.channelId ?? 'test',
    locale: options.locale ?? 'ar-SA',
    from: { id: options.userId ?? `user-${Math.random().toString(36).slice(2)}`, name: 'tester' },
  });
  adapter.use(languageMiddleware(state));
  // The context is revoked after its turn: keep only the storage key of the conversation.
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
    async sayActivity(activity) {
      adapter.activeQueue.splice(0);
      await adapter.receiveActivity({ type: 'message', ...activity });
      return adapter.activeQueue.splice(0).filter((a) => a.type === 'message');
    },
    async data() {
      if (!conversationKey) throw new Error('no turn yet');
      // State was saved at the end of the turn: read it back as the next turn would.
      const fresh = await storage.read([conversationKey]);
      return (fresh[conversationKey] as { data?: ConversationData } | undefined)?.data ?? {};
    },
  };
}

export const texts = (replies: Partial<Activity>[]): string => replies.map((r) => r.text ?? '').join('\n');
export const buttons = (replies: Partial<Activity>[]): string[] =>
  replies.flatMap((r) => (r.suggestedActions?.actions ?? []).map((a) => String(a.title)));

/** [user says, the replies must contain (every fragment / match), buttons they must offer] */
export type Step = [string, string | RegExp | Array<string | RegExp>, string[]?];

/** Plays a conversation table; `before` runs before a step (by index), e.g. to move the clock. */
export async function play(h: Harness, steps: Step[], before: Record<number, () => Promise<void> | void> = {}): Promise<void> {
  for (const [i, [userSays, expected, expectedButtons]] of steps.entries()) {
    await before[i]?.();
    const replies = await h.say(userSays);
    const all = texts(replies);
    for (const e of Array.isArray(expected) ? expected : [expected]) {
      if (typeof e === 'string') expect(all, `step ${i} after "${userSays}"`).toContain(e);
      else expect(all, `step ${i} after "${userSays}"`).toMatch(e);
    }
    for (const b of expectedButtons ?? []) expect(buttons(replies), `buttons at step ${i} after "${userSays}"`).toContain(b);
  }
}
