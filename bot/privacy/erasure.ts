/**
 * Deletion on request: one registry where every store that keeps something of a user
 * registers how to delete it. The "delete my data" dialog and Bot Framework's deleteUserData
 * activity both call eraseFor(); nothing else deletes personal data by hand.
 */
import type { Logger } from 'pino';

/** Whose data: the conversation (channel + id) and the user in it, as the channel names them. */
export interface ErasureTarget {
  channelId: string;
  conversationId: string;
  userId?: string;
  /** "<channelId>/conversations/<conversationId>": the key the core stores use. */
  conversationKey: string;
}

export type Eraser = (target: ErasureTarget) => Promise<void>;

export function erasureTargetOf(activity: { channelId?: string; conversation?: { id?: string }; from?: { id?: string } }): ErasureTarget {
  const channelId = activity.channelId ?? '';
  const conversationId = activity.conversation?.id ?? '';
  return { channelId, conversationId, userId: activity.from?.id, conversationKey: `${channelId}/conversations/${conversationId}` };
}

export class ErasureRegistry {
  private readonly erasers: Array<{ name: string; erase: Eraser }> = [];

  /** Whether a message asks for deletion (set by bot/app.ts from the dialog's rule list; channels must not hijack it). */
  isRequest: (text: string) => boolean = () => false;

  constructor(private readonly logger?: Logger) {}

  /** A store adds how to delete one user's data (one call per store, at start-up). */
  register(name: string, erase: Eraser): void {
    this.erasers.push({ name, erase });
  }

  get names(): string[] {
    return this.erasers.map((e) => e.name);
  }

  /** Runs every eraser (all of them, even when one fails); throws after if any failed. */
  async eraseFor(target: ErasureTarget): Promise<void> {
    const results = await Promise.allSettled(this.erasers.map((e) => e.erase(target)));
    const failed = this.erasers.filter((_, i) => results[i]?.status === 'rejected').map((e) => e.name);
    if (failed.length > 0) {
      for (const [i, r] of results.entries()) if (r.status === 'rejected') this.logger?.error({ err: r.reason, store: this.erasers[i]?.name }, 'erasure failed');
      throw new Error(`erasure failed in: ${failed.join(', ')}`);
    }
    this.logger?.info({ stores: this.erasers.length, channel: target.channelId }, 'user data erased on request');
  }
}
