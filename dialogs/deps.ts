/**
 * What dialogs get from the composition root (bot/app.ts). Dialogs reach the world only
 * through these; tests build them with fakes.
 */
import type { StatePropertyAccessor } from 'botbuilder';
import type { Lang } from './understanding/normalize';
import type { Intent, Recognizer } from './understanding/types';
import type { LastLookup } from './interpret/followUp';

export type Translate = (lang: Lang, key: string, options?: Record<string, unknown>) => string;

/** Saved per user for a long time (USER_TTL_SECONDS). */
export interface UserProfile {
  /** Set only when the user chose a language explicitly. */
  language?: Lang;
}

/** What the bot has collected in the current task, shown to an agent on handoff. */
export interface TaskContext {
  intent?: string;
  verified?: boolean;
  /** Plain facts (masked where personal): "dependent": "Sara (****1234)", "ticketType": … */
  details?: Record<string, string>;
}

/**
 * Who the user proved to be in this conversation (verifyIdentityDialog.ts). The access token
 * lives only here, in conversation state, never in logs or transcripts; it is short-lived.
 */
export interface VerifiedSession {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** "******8904" */
  idMasked: string;
  kind: 'citizen' | 'resident';
  name: { ar: string; en: string };
}

/** An iqama renewal left at "I'll pay later": the bill's keys only, nothing personal. */
export interface IqamaPendingBill {
  dependentId: string;
  months: number;
  billKey: string;
}

/** Saved per conversation (CONVERSATION_TTL_SECONDS, renewed by every turn). */
export interface ConversationData {
  welcomed?: boolean;
  /** Language of the last turn: the fallback when a message has no letters. */
  lastLang?: Lang;
  /** Consecutive messages the bot did not understand. */
  misses?: number;
  /** Consecutive messages inside a task that answered nothing the open step asked. */
  stepMisses?: number;
  /** A task left for another ("بدال التجديد…"): once that one ends, the bot offers to go back to it. */
  stopped?: Intent;
  task?: TaskContext;
  session?: VerifiedSession;
  iqamaPendingBill?: IqamaPendingBill;
  /** What the last status answer was about, so a follow-up ("and my own?") resolves. */
  lastLookup?: LastLookup;
  /** A request number given with a message that got "did you mean…?": the chosen task keeps it. */
  pendingNumber?: string;
  /** The task offered in the last "did you mean…?": a reply that carries its ID or request number chooses it. */
  pendingTask?: 'iqama.renew' | 'tawasul.create' | 'status.check' | 'travel_permit' | 'passport.update';
  /** The iqama expiry reminders were offered (or taken) in this conversation: not offered again. */
  remindersOffered?: boolean;
  /** The offer is the last thing the bot said: its "no, thanks" declines it. */
  remindersOfferOpen?: boolean;
  /** The Idempotency-Key of an opt-in not yet confirmed: a retry after a failure registers the same consent. */
  remindersConsentKey?: string;
}

export interface StateAccessors {
  profile: StatePropertyAccessor<UserProfile>;
  conversation: StatePropertyAccessor<ConversationData>;
}

export interface CoreDeps {
  t: Translate;
  recognizer: Recognizer;
  state: StateAccessors;
}
