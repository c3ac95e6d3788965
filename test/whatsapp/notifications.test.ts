/**
 * Tawasul status notifications to a WhatsApp user, end to end: the simulator's event feed,
 * the notifier (lease, claim, mark), the proactive turn through the built-in channel, and the
 * fake Graph API. Inside the 24-hour window the update goes out as text; outside it, as the
 * approved template in the user's language. A second poll sends nothing again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { startFrozenSim } from '../helpers/sim';
import { createServicesClient, type ServicesClient } from '../../adapters/services';
import { ticketNotifier, type TicketNotifierHandle } from '../../adapters/notify';
import { bodyOf, startWhatsApp, type WhatsAppHarness } from './support';

const OTP = '482913';
const HOUR = 3600_000;
let sim: Simulator;
let services: ServicesClient;
let notifier: TicketNotifierHandle | undefined;
let h: WhatsAppHarness;
let now = Date.now();

beforeAll(async () => {
  let url: string;
  ({ sim, url } = await startFrozenSim(OTP, 'k'));
  services = createServicesClient({ baseUrl: url, apiKey: 'k', timeoutMs: 5000 });
  h = await startWhatsApp({
    clock: () => now,
    overrides: { channels: [() => ({ services }), ticketNotifier({ services, autoStart: false, onReady: (n) => (notifier = n) })] },
  });
}, 30_000);

afterAll(async () => {
  await h?.close();
  await sim?.stop();
});

async function openTicket(): Promise<string> {
  const challenge = await services.startVerification('2345678904');
  const { accessToken } = await services.verifyCode(challenge.challengeId, OTP);
  const ticket = await services.createTicket(
    accessToken,
    { sectionId: 'general_inquiries', transactionTypeId: 'general_question', fields: { topic: 'visas' }, description: 'هل يمكن تمديد تأشيرة الزيارة لوالدتي؟', attachmentIds: [] },
    `key-${Date.now()}-${Math.random()}`,
  );
  return ticket.number;
}

describe('Tawasul notifications on WhatsApp', () => {
  it('reach a user inside the window as text and one outside it as the template, each once', async () => {
    const recent = h.newUser();
    const away = h.newUser();
    await h.known(recent, now - 2 * HOUR);
    await h.known(away, now - 30 * HOUR);
    const first = await openTicket();
    const second = await openTicket();
    await notifier!.watch(first, h.reference(recent), 'ar');
    await notifier!.watch(second, h.reference(away, 'en-US'), 'en');
    await notifier!.poll(); // the feed up to the tickets' creation
    h.fake.reset();

    sim.advance(2 * HOUR); // submitted → under review, for both tickets
    expect(await notifier!.poll()).toBe(2);
    await h.channel.idle();

    const toRecent = h.fake.sent.filter((s) => s.to === recent);
    expect(toRecent.map((s) => s.type)).toEqual(['text']);
    expect(bodyOf(toRecent[0]!)).toContain(`رقم ${first}`);

    const toAway = h.fake.sent.filter((s) => s.to === away);
    expect(toAway.map((s) => s.type)).toEqual(['template']);
    expect(toAway[0]!.body).toMatchObject({ template: { name: 'musaed_update', language: { code: 'en' } } });
    expect(bodyOf(toAway[0]!)).toContain(`Update on your Tawasul request ${second}`);

    expect(await notifier!.poll()).toBe(0);
    await h.channel.idle();
    expect(h.fake.sent.filter((s) => s.to === recent || s.to === away)).toHaveLength(2);
  });
});
