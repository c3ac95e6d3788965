/**
 * Late replies and agent messages over WhatsApp, with the real main dialog and agent hub: the
 * 24-hour window counted from Meta's timestamp, one template per late reply and no choices in
 * it, and an agent's text and files in reading order, each part sent even when one fails.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Activity, CardAction } from 'botbuilder';
import { handoffModule, type AgentHub } from '../../adapters/handoff';
import { bodyOf, msg, startWhatsApp, type WhatsAppHarness } from './support';
import { webhookOf } from './fakeGraph';

const HOUR = 3600 * 1000;
const AGENT = { id: 'sara', name: 'سارة' };
let now = Date.now();
let h: WhatsAppHarness;
let hub!: AgentHub;

beforeAll(async () => {
  h = await startWhatsApp({
    clock: () => now,
    env: { HANDOFF_SWEEP_MS: '3600000' },
    overrides: { channels: [handoffModule({ onHub: (x) => (hub = x) })] },
  });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  now = Date.now();
  h.fake.reset();
});

const imBack = (title: string): CardAction => ({ type: 'imBack', title, value: title });

describe('the 24-hour window runs from when the user sent the message', () => {
  it('a message Meta delivers 25 hours after it was sent gets exactly one template, with no choices in it', async () => {
    const waId = h.newUser();
    const res = await h.fake.deliver(h.app.baseUrl, webhookOf(h.fake.phoneNumberId, waId, [msg.text('السلام عليكم')], 'عبدالله', now - 25 * HOUR));
    expect(res.status).toBe(200);
    await h.channel.idle();
    expect(h.seenFrom(waId)).toHaveLength(1); // the bot answered (welcome and menu)…
    const sent = h.fake.sent.filter((s) => s.to === waId);
    expect(sent.map((s) => s.type)).toEqual(['template']); // …as one template
    expect(bodyOf(sent[0]!)).toContain('أنا «مساعد»');
    expect(bodyOf(sent[0]!)).not.toContain('تجديد إقامة'); // no menu rows: there are no buttons in a template
    expect(h.fake.rejected).toEqual([]);
  });

  it('an older message delivered after a newer one does not close the window the newer one opened', async () => {
    const waId = h.newUser();
    await h.say(waId, msg.text('السلام عليكم'));
    await h.fake.deliver(h.app.baseUrl, webhookOf(h.fake.phoneNumberId, waId, [msg.text('مرحبا')], 'عبدالله', now - 30 * HOUR));
    await h.channel.idle();
    h.fake.reset();
    const sent = await h.send(waId, { type: 'message', text: 'تحديث على طلبك' });
    expect(sent.map((s) => s.type)).toEqual(['text']);
  });

  it('a proactive message with a button outside the window: the template carries the text only', async () => {
    const waId = h.newUser();
    await h.known(waId, now - 26 * HOUR);
    const sent = await h.send(waId, { type: 'message', text: 'تم تحديث حالة طلبك.', suggestedActions: { to: [], actions: [imBack('التفاصيل')] } } as Partial<Activity>);
    expect(sent.map((s) => [s.type, bodyOf(s)])).toEqual([['template', 'تم تحديث حالة طلبك.']]);
  });
});

describe('agent messages', () => {
  async function heldBy(): Promise<{ waId: string; key: string }> {
    const waId = h.newUser();
    const key = `whatsapp/conversations/${h.idOf(waId)}`;
    await hub.heartbeat(AGENT);
    await h.say(waId, msg.text('التحدث مع موظف'));
    await h.say(waId, msg.text('أريد تعديل بيانات الجواز'));
    await hub.claim(key, AGENT);
    h.fake.reset();
    return { waId, key };
  }
  const photo = (n: number) => ({ contentType: 'image/png', contentUrl: `https://files.example.sa/agent/${n}.png`, name: `${n}.png` });

  it('text with one photo is one message: the photo with the text as its caption', async () => {
    const { waId, key } = await heldBy();
    await hub.sendFromAgent(key, AGENT, 'هذه صورة النموذج المطلوب', [photo(1)]);
    const sent = h.fake.sent.filter((s) => s.to === waId);
    expect(sent.map((s) => s.body.type)).toEqual(['image']);
    expect(sent[0]?.body).toMatchObject({ image: { link: photo(1).contentUrl, caption: 'سارة (موظف خدمة العملاء): هذه صورة النموذج المطلوب' } });
  });

  it('a photo without text carries the agent\'s name, and nothing follows it', async () => {
    const { waId, key } = await heldBy();
    await hub.sendFromAgent(key, AGENT, '', [photo(2)]);
    const sent = h.fake.sent.filter((s) => s.to === waId);
    expect(sent.map((s) => [s.body.type, (s.body.image as { caption?: string } | undefined)?.caption])).toEqual([['image', 'سارة (موظف خدمة العملاء)']]);
  });

  it('text and two photos: the text first; when one photo fails the other is still sent and the agent is told', async () => {
    const { waId, key } = await heldBy();
    h.fake.failMedia(photo(3).contentUrl);
    await expect(hub.sendFromAgent(key, AGENT, 'أرسلت لك صورتين', [photo(3), photo(4)])).rejects.toThrow();
    const sent = h.fake.sent.filter((s) => s.to === waId);
    expect(sent.map((s) => [s.body.type, s.type === 'text' ? bodyOf(s) : (s.body.image as { link: string }).link])).toEqual([
      ['text', 'سارة (موظف خدمة العملاء): أرسلت لك صورتين'],
      ['image', photo(4).contentUrl],
    ]);
    expect(h.fake.failures.every((c) => c === 131053)).toBe(true);
  });

  it('a captioned photo that cannot be sent: the words still arrive as text, and the agent is told', async () => {
    const { waId, key } = await heldBy();
    h.fake.failMedia(photo(5).contentUrl);
    await expect(hub.sendFromAgent(key, AGENT, 'هذا هو النموذج', [photo(5)])).rejects.toThrow();
    const sent = h.fake.sent.filter((s) => s.to === waId);
    expect(sent.map((s) => [s.type, bodyOf(s)])).toEqual([['text', 'سارة (موظف خدمة العملاء): هذا هو النموذج']]);
  });
});
