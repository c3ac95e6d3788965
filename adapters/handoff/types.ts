/**
 * The contract between the handoff dialog and the agent hub. Dialogs see only this file;
 * the hub (adapters/handoff/hub.ts) keeps every piece of state in Redis so that any bot
 * process can serve the user and any other can serve the agent.
 */
import type { ConversationReference } from 'botbuilder';
import type { TranscriptEntry } from '../../bot/transcript';

export type HandoffLang = 'ar' | 'en';
export type HandoffTrigger = 'user' | 'misunderstood' | 'failure';
export type HandoffMode = 'hub' | 'protocol';

/** What the bot collected, shown to the agent (already masked where personal). */
export interface HandoffTask {
  intent?: string;
  verified?: boolean;
  details?: Record<string, string>;
}

export interface HandoffRequest {
  reference: Partial<ConversationReference>;
  lang: HandoffLang;
  reason: string;
  trigger: HandoffTrigger;
  task?: HandoffTask;
}

export type Availability = { open: true } | { open: false; why: 'closed' | 'noAgents' };

export interface QueuePlacement {
  position: number;
  waitMinutes: number;
}

/**
 * Where a conversation stands with the hub:
 * queued → held (an agent claimed it) → rating → comment → (back to the bot);
 * protocol / protocolHeld for an external contact center (HANDOFF_MODE=protocol).
 */
export type HandoffStatus = 'queued' | 'held' | 'rating' | 'comment' | 'protocol' | 'protocolHeld';

export interface HandoffHub {
  readonly mode: HandoffMode;
  /** Working hours and agents online (hub mode); protocol mode is always open. */
  availability(now?: Date): Promise<Availability>;
  /** Puts the conversation in the queue (hub mode) and tells its place and estimated wait. */
  enqueue(request: HandoffRequest): Promise<QueuePlacement>;
  /** Records that the conversation was handed to an external contact center (protocol mode). */
  startProtocol(request: HandoffRequest): Promise<void>;
  /** The masked transcript so far (for the protocol's handoff.initiate). */
  transcript(reference: Partial<ConversationReference>): Promise<TranscriptEntry[]>;
}

/** An agent as the console and the audit know them. */
export interface AgentIdentity {
  id: string;
  name: string;
}
