/**
 * The first thing a turn does inside the conversation lock: read everything it will need
 * from Redis at once. User state, conversation state and what the channel modules ask for
 * (the handoff record) are requested together, so they share one round trip (and, with the
 * client's auto-pipelining, one socket write) instead of three in a row. botbuilder's
 * BotState keeps what it loaded for the turn, so later reads through the accessors are free.
 */
import type { BotState, Middleware, TurnContext } from 'botbuilder';

/** Starts a read for the turn and returns its promise (the caller keeps it in turnState). */
export type TurnPrefetch = (context: TurnContext) => Promise<unknown>;

export function turnStartMiddleware(states: readonly BotState[], prefetchers: readonly TurnPrefetch[]): Middleware {
  return {
    async onTurn(context, next) {
      // Promise.all also observes every read, so a failed prefetch cannot go unhandled.
      await Promise.all([...states.map((s) => s.load(context)), ...prefetchers.map((p) => p(context))]);
      await next();
    },
  };
}
