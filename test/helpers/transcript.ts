/**
 * What the dialog transcript harnesses (iqama renewal, status lookup, Tawasul tracking)
 * share: state built as bot/app.ts builds it but on MemoryStorage, a TestAdapter with the
 * language and presentation middleware whose turns are read back from storage (every reply is
 * checked for mixed digit systems and unisolated masked values or dates), the services simulator with
 * its clock frozen at the real "now" (so session expiry, checked against real time by the
 * identity step, behaves as in production until a test moves the clock), and conversation
 * tables of [user says, replies must contain, buttons they must offer].
 */
import { type Activity, ConversationState, MemoryStorage, type StatePropertyAccessor, TestAdapter, type TurnContext, UserState } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { languageMiddleware } from '../../bot/middleware/language';
import { presentationMiddleware } from '../../bot/middleware/presentation';
import { presentationProblems, presentText } from '../../dialogs/format/outgoing';
import type { Simulator } from '../../sim';
import { startFrozenSim } from './sim';
import type { ConversationData, StateAccessors, UserProfile } from '../../dialogs/deps';
import { createRecognizer } from '../../dialogs/understanding/recognizer';
import type { Recognizer } from '../../dialogs/understanding/types';

export { ABDULLAH, AHMED, BILAL, MOHAMMED } from '../services/support';
export { startFrozenSim };
export const HOUR = 3600_000;

export interface TestState {
  storage: MemoryStorage;
  conversationState: ConversationState;
  userState: UserState;
  state: StateAccessors;
  dialogState: StatePropertyAccessor<DialogState>;
}

/** The state objects of bot/app.ts, on MemoryStorage. */
export function testState(): TestState {
  const storage = new MemoryStorage();
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  return {
    storage,
    conversationState,
    userState,
    state: {
      profile: userState.createProperty<UserProfile>('profile'),
      conversation: conversationState.createProperty<ConversationData>('data'),
    },
    dialogState: conversationState.createProperty<DialogState>('dialogState'),
  };
}

let recognizer: Recognizer | undefined;
/** The trained recognizer, built once per file (training takes about a second). */
export function sharedRecognizer(): Recognizer {
  return (recognizer ??= createRecognizer());
}

export interface TranscriptHarness {
  /** Sends one message and returns the bot's replies in that turn. */
  say(text: string): Promise<Partial<Activity>[]>;
  /** Sends a whole message activity (e.g. with attachments) and returns the replies. */
  sayActivity(activity: Partial<Activity>): Promise<Partial<Activity>[]>;
  /** The conversation data as the next turn would read it. */
  data(): Promise<ConversationData>;
}

/** A TestAdapter running `logic` behind the language middleware, for one new user. */
export function transcriptHarness(
  s: TestState,
  logic: (context: TurnContext) => Promise<void>,
  options: { channelId?: string; locale?: 'ar-SA' | 'en-US'; userId?: string } = {},
): TranscriptHarness {
  const adapter = new TestAdapter(logic, {
    channelId: options.channelId ?? 'test',
    locale: options.locale ?? 'ar-SA',
    from: { id: options.userId ?? `user-${Math.random().toString(36).slice(2)}`, name: 'tester' },
  });
  adapter.use(languageMiddleware(s.state));
  adapter.use(presentationMiddleware());
  // The context is revoked after its turn: keep only the storage key of the conversation.
  let conversationKey: string | undefined;
  adapter.use({
    async onTurn(context, next) {
      conversationKey = `${context.activity.channelId}/conversations/${context.activity.conversation.id}/`;
      await next();
    },
  });
  const turn = async (activity: string | Partial<Activity>) => {
    adapter.activeQueue.splice(0);
    await adapter.receiveActivity(activity);
    const replies = adapter.activeQueue.splice(0).filter((a) => a.type === 'message');
    // Every reply of every suite on this harness: one digit system, masked values and dates isolated.
    expect(replies.flatMap(presentationProblems), 'how the replies show numbers').toEqual([]);
    return replies;
  };
  return {
    say: (text) => turn(text),
    sayActivity: (activity) => turn({ type: 'message', ...activity }),
    async data() {
      if (!conversationKey) throw new Error('no turn yet');
      // State was saved at the end of the turn: read it back as the next turn would.
      const fresh = await s.storage.read([conversationKey]);
      return (fresh[conversationKey] as { data?: ConversationData } | undefined)?.data ?? {};
    },
  };
}

export const texts = (replies: Partial<Activity>[]): string => replies.map((r) => r.text ?? '').join('\n');
export const buttons = (replies: Partial<Activity>[]): string[] =>
  replies.flatMap((r) => (r.suggestedActions?.actions ?? []).map((a) => String(a.title)));

/** [user says, the replies must contain (every fragment / match), buttons they must offer] */
export type Step = [string, string | RegExp | Array<string | RegExp>, string[]?];

/**
 * Plays a conversation table and returns each turn's replies. `before` runs before a step
 * (by index), e.g. to move the clock or pay a bill; `textOf` is what the fragments are
 * looked for in (default: the replies' text).
 */
export async function play(
  h: Pick<TranscriptHarness, 'say'>,
  steps: Step[],
  before: Record<number, () => Promise<void> | void> = {},
  textOf: (replies: Partial<Activity>[]) => string = texts,
): Promise<Partial<Activity>[][]> {
  const all: Partial<Activity>[][] = [];
  for (const [i, [userSays, expected, expectedButtons]] of steps.entries()) {
    await before[i]?.();
    const replies = await h.say(userSays);
    all.push(replies);
    const text = textOf(replies);
    for (const e of Array.isArray(expected) ? expected : [expected]) {
      // A fragment is expected as people see it: Western digits, masked values and dates isolated.
      if (typeof e === 'string') expect(text, `step ${i} after "${userSays}"`).toContain(presentText(e));
      else expect(text, `step ${i} after "${userSays}"`).toMatch(e);
    }
    for (const b of expectedButtons ?? []) expect(buttons(replies), `buttons at step ${i} after "${userSays}"`).toContain(b);
  }
  return all;
}

/**
 * A test file's simulator: started once (and the recognizer trained) before its tests,
 * reset before each one (fresh demo data: only five codes per ID in 15 minutes), stopped
 * after them. `use` receives it once it runs.
 */
export function useSimulator(start: () => Promise<{ sim: Simulator; url: string }>, use: (running: { sim: Simulator; url: string }) => void): void {
  let running: { sim: Simulator; url: string } | undefined;
  beforeAll(async () => {
    running = await start();
    use(running);
    sharedRecognizer();
  }, 30_000);
  afterAll(async () => {
    await running?.sim.stop();
  });
  beforeEach(() => running?.sim.reset());
}
