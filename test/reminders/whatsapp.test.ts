/**
 * Iqama expiry reminders on WhatsApp, end to end: the opt-in typed in a WhatsApp chat, the
 * scheduler (lease, claimed outbox) and the fake Graph API. Inside the 24-hour window the
 * reminder goes out as text with its buttons; outside it, as the approved reminder template
 * (WHATSAPP_TEMPLATE_REMINDER) with its three parameters, in the user's language. A reminder
 * sent again under the same delivery key (as after its sender died) reaches nobody twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { startFrozenSim } from '../helpers/sim';
import { createTranslator } from '../../bot/i18n';
import { createServicesClient } from '../../adapters/services';
import { reminderScheduler, type ReminderSchedulerHandle } from '../../adapters/reminders';
import { reminderComposer } from '../../dialogs/reminders/message';
import { remindersDialogFactory, stopRemindersDialogFactory } from '../../dialogs/remindersDialog';
import { iqamaRenewalDialogFactory } from '../../dialogs/iqamaRenewalDialog';
import { testRedis } from '../helpers/redis';
import { bodyOf, msg, startWhatsApp, WA_DB, type WhatsAppHarness } from '../whatsapp/support';
import { AHMED, HOUR, advanceToRiyadhHour } from './support';

const OTP = '277451';
const { t } = createTranslator();
let sim: Simulator;
let scheduler: ReminderSchedulerHandle | undefined;
let h: WhatsAppHarness;
const now = Date.now();
/** The channel's clock: moved back to make a user whose last message was long ago (the window only moves forward). */
let channelNow = now;

beforeAll(async () => {
  let url: string;
  ({ sim, url } = await startFrozenSim(OTP, 'k'));
  const services = createServicesClient({ baseUrl: url, apiKey: 'k', timeoutMs: 5000 });
  h = await startWhatsApp({
    clock: () => channelNow,
    env: { WHATSAPP_TEMPLATE_REMINDER: 'musaed_iqama_reminder:ar,en_US' },
    overrides: {
      channels: [() => ({ services }), reminderScheduler({ services, composer: reminderComposer, autoStart: false, onReady: (s) => (scheduler = s) })],
      features: [iqamaRenewalDialogFactory, remindersDialogFactory, stopRemindersDialogFactory],
    },
  });
  await advanceToRiyadhHour(sim, 9);
}, 30_000);

afterAll(async () => {
  await h?.close();
  await sim?.stop();
});

/** Opts a WhatsApp user in by chatting, as a person would. */
async function optIn(waId: string, lang: 'ar' | 'en'): Promise<void> {
  await h.say(waId, msg.text(lang === 'ar' ? 'السلام عليكم' : 'hello'));
  const asked = await h.say(waId, msg.text(t(lang, 'reminders:menuTitle')));
  expect(asked.map(bodyOf).join('\n')).toContain(t(lang, 'verify:askId'));
  await h.say(waId, msg.text(AHMED));
  const on = await h.say(waId, msg.text(OTP));
  expect(on.map(bodyOf).join('\n')).toContain(t(lang, 'reminders:on', { count: 6 }));
}

describe('iqama expiry reminders on WhatsApp', () => {
  it('text with buttons inside the 24-hour window, the reminder template outside it, each once', async () => {
    const recent = h.newUser();
    const away = h.newUser();
    // The away user's last message was 30 hours ago (the recent one just wrote).
    channelNow = now - 30 * HOUR;
    await optIn(away, 'en');
    channelNow = now;
    await optIn(recent, 'ar');
    h.fake.reset();

    expect(await scheduler!.poll()).toBe(8); // four dependents due within 30 days, for each user
    await h.channel.idle();

    const toRecent = h.fake.sent.filter((s) => s.to === recent);
    expect(toRecent).toHaveLength(4);
    expect(toRecent.every((s) => s.type === 'interactive')).toBe(true);
    expect(toRecent.map(bodyOf).join('\n')).toContain('تنتهي إقامة منى');

    const toAway = h.fake.sent.filter((s) => s.to === away);
    expect(toAway.map((s) => s.type)).toEqual(['template', 'template', 'template', 'template']);
    const mona = toAway.find((s) => JSON.stringify(s.body).includes('Mona'))!;
    expect(mona.body).toMatchObject({ template: { name: 'musaed_iqama_reminder', language: { code: 'en_US' } } });
    const params = (mona.body as { template: { components: Array<{ parameters: Array<{ text: string }> }> } }).template.components[0]!.parameters.map((p) => p.text);
    expect(params).toHaveLength(3);
    expect(params[0]).toBe('Mona');
    expect(params[1]).toMatch(/^in \d+ days$/);
    expect(params[2]).toMatch(/\d{4} \(.+ AH\)$/);

    // Nothing is due again.
    expect(await scheduler!.poll()).toBe(0);
    await h.channel.idle();
    expect(h.fake.sent.filter((s) => s.to === recent || s.to === away)).toHaveLength(8);
  });

  it('a reminder sent again under its delivery key (its sender died before marking it) is not sent twice', async () => {
    const waId = h.newUser();
    await optIn(waId, 'ar');
    h.fake.reset();
    expect(await scheduler!.poll()).toBe(4);
    await h.channel.idle();
    expect(h.fake.sent.filter((s) => s.to === waId)).toHaveLength(4);
    // As if the process died between the send and its mark: the outbox entries are gone and due again.
    const redis = testRedis(WA_DB);
    try {
      const marks = await redis.keys(`${h.prefix}rem:sent:*`);
      expect(marks.length).toBeGreaterThanOrEqual(4);
      await redis.del(...marks);
    } finally {
      redis.disconnect();
    }
    expect(await scheduler!.poll()).toBeGreaterThanOrEqual(4); // sent again by the scheduler…
    await h.channel.idle();
    expect(h.fake.sent.filter((s) => s.to === waId)).toHaveLength(4); // …and delivered once
  });
});
