/**
 * The contract between the Tawasul dialog and the notifier. Dialogs see only this file:
 * when a ticket is created the dialog asks to be told about it, and the notifier (any bot
 * process) later sends a proactive message to that conversation when the ticket's status
 * changes.
 */
import type { ConversationReference } from 'botbuilder';

export type NotifyLang = 'ar' | 'en';

export interface TicketWatch {
  /**
   * Remembers where to tell the user about this ticket (the conversation it was opened in)
   * and in which language. Kept in Redis for the ticket's life; calling again replaces it.
   */
  watch(ticketNumber: string, reference: Partial<ConversationReference>, lang: NotifyLang): Promise<void>;
}

/** What the notifier module provides to the feature dialogs (merged into FeatureDeps). */
export interface TicketWatchDeps {
  ticketWatch?: TicketWatch;
}
