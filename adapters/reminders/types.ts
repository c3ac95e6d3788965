/**
 * The contract between the dialogs and the iqama expiry reminders (adapters/reminders). Dialogs
 * see only this file: at opt-in they hand over the consent id the services API gave, the
 * conversation reference, language and channel; "stop reminders" asks to end it.
 */
import type { Activity, ConversationReference } from 'botbuilder';
import type { ReminderExpiry } from '../services/reminderConsents';

export type ReminderLang = 'ar' | 'en';

/** Days before expiry at which a reminder is due (each sent once per dependent and expiry date). */
export const DEFAULT_THRESHOLDS: readonly number[] = [30, 7];

/** Where and how to remind: all that is kept besides the consent id. */
export interface ReminderSubscription {
  reference: Partial<ConversationReference>;
  lang: ReminderLang;
  channel: string;
}

export interface Reminders {
  /**
   * Registers the consent at the services API with the user's token (used for this call only,
   * never stored) and keeps what the scheduler needs: the consent id, where and in which
   * language to write. A conversation has one subscription: a new one replaces the old, whose
   * consent is revoked. Throws the services API's ServiceError (e.g. an expired session).
   */
  subscribe(token: string, idempotencyKey: string, where: ReminderSubscription): Promise<{ dependentsWithIqama: number }>;
  /** Revokes the conversation's consent and forgets it; false when there was none. */
  unsubscribe(conversationKey: string): Promise<boolean>;
  isSubscribed(conversationKey: string): Promise<boolean>;
}

/** What the reminders module provides to the feature dialogs (merged into FeatureDeps). */
export interface RemindersDeps {
  reminders?: Reminders;
}

/** One reminder to compose: who, when, which threshold, how many days are left. */
export interface DueReminder {
  expiry: ReminderExpiry;
  threshold: number;
  daysLeft: number;
}

/** Builds the reminder message in the user's language (dialogs/reminders/message.ts). */
export type ComposeReminder = (lang: ReminderLang, due: DueReminder) => Partial<Activity>;

/** "emulator/conversations/abc": the key conversation state and the erasure registry use. */
export function conversationKeyOf(reference: Partial<ConversationReference>): string {
  return `${reference.channelId ?? ''}/conversations/${reference.conversation?.id ?? ''}`;
}
