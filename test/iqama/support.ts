/**
 * Transcript harness for the iqama renewal: the real MainDialog (routing, global commands),
 * language middleware and trained recognizer on botbuilder's TestAdapter, with the
 * services simulator over real HTTP (or a fault proxy in front of it). The simulator's clock
 * is frozen at the real "now", so session expiry (checked against real time by the identity
 * step) behaves as in production until a test moves the clock or expires the sessions.
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
import type { FeatureDeps } from '../../dialogs/registry';
import { createIqamaRenewalDialogFactory } from '../../dialogs/iqamaRenewalDialog';
import { handoffDialogFactory } from '../../dialogs/handoffDialog';
import { createRecognizer } from '../../dialogs/understanding/recognizer';
import type { Recognizer } from '../../dialogs/understanding/types';

export const OTP = '731946';
export const AHMED = '2345678904';
export const MOHAMMED = '2100398474';
export const ABDULLAH = '1104837263';
export const BILAL = '2475512550';
export const IQAMA_DB = 7;
export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
const API_KEY = 'iqama-test-key';

export const { t } = createTranslator();

export async function startIqamaSim(): Promise<{ sim: Simulator; url: string }> {
  const sim = createSimulator({
    clock: createSimClock({ start: new Date(), frozen: true }),
    otpCode: OTP,
    apiKey: API_KEY,
    admin: true,
    // Bills are paid only through /_sim/bills/:n/pay, so tests decide when.
    autoPayBillsAfterMs: null,
  });
  const { url } = await sim.start();
  return { sim, url };
}

export function servicesFor(url: string) {
  return createServicesClient({ baseUrl: url, apiKey: API_KEY, timeoutMs: 3000, retry: { retries: 1, initialDelayMs: 5, maxDelayMs: 20 } });
}

let recognizer: Recognizer | undefined;
/** The trained recognizer, built once per file. */
export function sharedRecognizer(): Recognizer {
  return (recognizer ??= createRecognizer());
}

export interface HarnessOptions {
  sim: Simulator;
  /** Services base URL (the simulator, or a fault proxy in front of it). */
  url: string;
  locale?: 'ar-SA' | 'en-US';
  channelId?: string;
}

export interface Harness {
  /** Sends one message and returns the bot's replies in that turn. */
  say(text: string): Promise<Partial<Activity>[]>;
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
  const r = sharedRecognizer();
  const deps: FeatureDeps = { t, recognizer: r, state, services: servicesFor(options.url) };
  const renewal = createIqamaRenewalDialogFactory({ now: () => new Date(options.sim.clock.now()) });
  const mainDialog = new MainDialog({ t, recognizer: r, state, dialogState }, [renewal(deps), handoffDialogFactory(deps)]);
  const bot = new MusaedBot({ conversationState, userState, mainDialog, t, maxTextChars: 2000 });
  const adapter = new TestAdapter(async (context) => bot.run(context), {
    channelId: options.channelId ?? 'test',
    locale: options.locale ?? 'ar-SA',
    from: { id: `user-${Math.random().toString(36).slice(2)}`, name: 'tester' },
  });
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
      if (!conversationKey) throw new Error('no turn yet');
      const fresh = await storage.read([conversationKey]);
      return (fresh[conversationKey] as { data?: ConversationData } | undefined)?.data ?? {};
    },
  };
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

export const buttons = (replies: Partial<Activity>[]): string[] =>
  replies.flatMap((r) => (r.suggestedActions?.actions ?? []).map((a) => String(a.title)));

/** [user says, the replies must contain (every fragment / match), buttons they must offer] */
export type Step = [string, string | RegExp | Array<string | RegExp>, string[]?];

/** Plays a conversation table; `before` runs before a step (by index), e.g. to pay a bill. */
export async function play(h: Harness, steps: Step[], before: Record<number, () => Promise<void> | void> = {}): Promise<Partial<Activity>[][]> {
  const all: Partial<Activity>[][] = [];
  for (const [i, [userSays, expected, expectedButtons]] of steps.entries()) {
    await before[i]?.();
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

/** Verification: ID number → code. */
export function verifyAs(id: string, lang: 'ar' | 'en', mobile: string): Step[] {
  return [[id, t(lang, 'verify:askCode', { mobile })]];
}
