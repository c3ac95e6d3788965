/**
 * Outermost middleware: a correlation id and a child logger per turn, turn counts and
 * latency (lock wait included, since that is what the user waits for).
 */
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'botbuilder';
import type { Logger } from 'pino';
import { activityTypeLabel, channelLabel, type Metrics } from '../metrics';
import { setTurnLogger, turnLogger } from '../../dialogs/turnState';

export function turnTelemetryMiddleware(logger: Logger, metrics: Metrics): Middleware {
  return {
    async onTurn(context, next) {
      const correlationId = randomUUID();
      const a = context.activity;
      const channel = a.channelId ?? 'unknown';
      // A child logger costs allocations on every turn; it is made only when something logs.
      setTurnLogger(context, () => logger.child({ correlationId, channel, conversation: a.conversation?.id }), correlationId);
      const stop = metrics.turnSeconds.startTimer({ channel: channelLabel(a.channelId) });
      metrics.turns.inc({ channel: channelLabel(a.channelId), type: activityTypeLabel(a.type) });
      try {
        await next();
      } finally {
        const seconds = stop();
        // Never the text: only its size and type.
        if (logger.isLevelEnabled('debug')) turnLogger(context)?.debug({ type: a.type, chars: a.text?.length ?? 0, ms: Math.round(seconds * 1000) }, 'turn');
      }
    },
  };
}
