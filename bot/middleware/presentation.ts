/**
 * The one place where outgoing messages get their digits and bidi isolates
 * (dialogs/format/outgoing.ts). Installed before every middleware that keeps or forwards a copy
 * (transcript, Direct Line inbox, handoff relay), so the person, the agent console and the
 * stores all see the same text. Proactive sends (agent messages, notifications) run through it
 * too: the adapter runs the middleware for them.
 */
import type { Middleware } from 'botbuilder';
import { presentActivity } from '../../dialogs/format/outgoing';

export function presentationMiddleware(): Middleware {
  return {
    async onTurn(context, next) {
      context.onSendActivities(async (_ctx, activities, nextSend) => {
        for (let i = 0; i < activities.length; i++) activities[i] = presentActivity(activities[i]);
        return nextSend();
      });
      await next();
    },
  };
}
