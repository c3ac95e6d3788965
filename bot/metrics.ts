/** Prometheus metrics, one registry per app instance so tests can run several apps in one process. */
import { ActivityTypes, Channels } from 'botbuilder';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { INTERNAL_CHANNEL_IDS } from './adapter';

/*
 * Label values come from closed sets: channelId and type are whatever the request says, and
 * every new value is a new time series kept for the life of the process.
 */
const KNOWN_CHANNELS: ReadonlySet<string> = new Set<string>([...Object.values(Channels), ...INTERNAL_CHANNEL_IDS]);
const KNOWN_TYPES: ReadonlySet<string> = new Set<string>(Object.values(ActivityTypes));

/** A Bot Framework or built-in channel id, else 'other'. */
export function channelLabel(channelId: unknown): string {
  return typeof channelId === 'string' && KNOWN_CHANNELS.has(channelId) ? channelId : 'other';
}

/** A Bot Framework activity type, else 'other'. */
export function activityTypeLabel(type: unknown): string {
  return typeof type === 'string' && KNOWN_TYPES.has(type) ? type : 'other';
}

export interface Metrics {
  registry: Registry;
  turns: Counter<'channel' | 'type'>;
  turnSeconds: Histogram<'channel'>;
  errors: Counter<'kind'>;
  openHandoffs: Gauge;
}

export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults) collectDefaultMetrics({ register: registry, prefix: 'musaed_' });
  return {
    registry,
    turns: new Counter({
      name: 'musaed_turns_total',
      help: 'Turns processed, by channel and activity type',
      labelNames: ['channel', 'type'],
      registers: [registry],
    }),
    turnSeconds: new Histogram({
      name: 'musaed_turn_duration_seconds',
      help: 'Turn latency from the adapter to the last reply, including the per-conversation lock wait',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'musaed_errors_total',
      help: 'Errors by kind (turn, storage, services, channel, bad_request)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    openHandoffs: new Gauge({
      name: 'musaed_open_handoffs',
      help: 'Conversations waiting for or held by an agent',
      registers: [registry],
    }),
  };
}
