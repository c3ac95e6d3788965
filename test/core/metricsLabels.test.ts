/**
 * Metric label values come from a closed set (issue 17, item 2): channelId and type are
 * whatever a request says, and each new value was a new series for the life of the process
 * (2,000 requests → 30,000 series).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAdapter, TurnContext } from 'botbuilder';
import { activityTypeLabel, channelLabel, createMetrics } from '../../bot/metrics';
import { turnTelemetryMiddleware } from '../../bot/middleware/turnTelemetry';
import { createLogger } from '../../bot/logger';
import { startApp } from '../helpers/app';
import { messageActivity, postActivity } from '../helpers/http';
import type { App } from '../../bot/app';

/** Through the turn pipeline's telemetry middleware (fast), and a share of them over real HTTP. */
const ACTIVITIES = 2000;
const REQUESTS = 120;
const PARALLEL = 20;

describe('metric labels', () => {
  let app: App & { baseUrl: string };
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('maps known channels and types to themselves, anything else to other', () => {
    expect(channelLabel('msteams')).toBe('msteams');
    expect(channelLabel('whatsapp')).toBe('whatsapp');
    expect(channelLabel('musaed.webchat')).toBe('musaed.webchat');
    expect(channelLabel('x'.repeat(100))).toBe('other');
    expect(channelLabel(undefined)).toBe('other');
    expect(activityTypeLabel('message')).toBe('message');
    expect(activityTypeLabel('conversationUpdate')).toBe('conversationUpdate');
    expect(activityTypeLabel('messagex')).toBe('other');
  });

  it(`keeps the number of series bounded after ${ACTIVITIES} turns with random channelId and type`, async () => {
    const metrics = createMetrics();
    const telemetry = turnTelemetryMiddleware(createLogger({ level: 'silent' }), metrics);
    const adapter = new TestAdapter();
    for (let i = 0; i < ACTIVITIES; i++) {
      const random = randomBytes(6).toString('hex');
      const activity = messageActivity(`ml-${i}`, 'hi', { channelId: `ch-${random}`, extra: { type: `t-${random}` } });
      await telemetry.onTurn(new TurnContext(adapter, activity), async () => undefined);
    }
    const turns = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'musaed_turns_total');
    expect(turns?.values).toHaveLength(1);
    expect(turns?.values[0]).toMatchObject({ labels: { channel: 'other', type: 'other' }, value: ACTIVITIES });
    expect((await metrics.registry.metrics()).length).toBeLessThan(5_000);
  });

  it(`keeps the number of series bounded after ${REQUESTS} requests with random channelId and type`, async () => {
    let sent = 0;
    let accepted = 0;
    const worker = async () => {
      while (sent < REQUESTS) {
        const i = sent++;
        const random = randomBytes(6).toString('hex');
        const activity = messageActivity(`ml-${i}`, 'hi', { channelId: i % 2 ? `ch-${random}` : 'emulator', extra: { type: i % 50 ? `t-${random}` : 'message' } });
        const { status } = await postActivity(app.baseUrl, activity);
        if (status < 300) accepted++;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    expect(accepted).toBe(REQUESTS);

    const metrics = await app.metrics.registry.getMetricsAsJSON();
    const turns = metrics.find((m) => m.name === 'musaed_turns_total');
    const seconds = metrics.find((m) => m.name === 'musaed_turn_duration_seconds');
    const channels = new Set(turns?.values.map((v) => String(v.labels.channel)));
    const types = new Set(turns?.values.map((v) => String(v.labels.type)));
    expect([...channels].sort()).toEqual(['emulator', 'other']);
    expect([...types].sort()).toEqual(['message', 'other']);
    expect(turns?.values.length).toBeLessThanOrEqual(4);
    expect(turns?.values.reduce((n, v) => n + v.value, 0)).toBe(REQUESTS);
    // One histogram per channel label: its bucket, sum and count lines.
    expect(new Set(seconds?.values.map((v) => String(v.labels.channel))).size).toBe(2);
    expect((await app.metrics.registry.metrics()).length).toBeLessThan(20_000);
  });
});
