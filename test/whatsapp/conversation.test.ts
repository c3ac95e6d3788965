/**
 * A whole Arabic conversation over WhatsApp with the real main dialog and the real agent hub:
 * menu as a list, list and button replies, handoff to an agent, the agent's messages inside and
 * outside the 24-hour window, and the rating answered with Arabic-Indic digits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handoffModule, type AgentHub } from '../../adapters/handoff';
import { bodyOf, choicesOf, msg, startWhatsApp, type WhatsAppHarness } from './support';

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

describe('an Arabic conversation over WhatsApp', () => {
  it('greets, hands over to an agent, relays both ways, respects the window, and takes a rating', async () => {
    const waId = h.newUser();
    const key = `whatsapp/conversations/${h.idOf(waId)}`;
    await hub.heartbeat(AGENT);

    const hello = await h.say(waId, msg.text('السلام عليكم'));
    expect(hello.map((x) => x.type)).toEqual(['text', 'interactive']);
    expect(bodyOf(hello[0]!)).toContain('أنا «مساعد»');
    const menu = hello[1]!;
    expect(menu.body).toMatchObject({ interactive: { type: 'list', body: { text: 'كيف أقدر أساعدك؟ يمكنك الاختيار من القائمة، أو كتابة طلبك بكلماتك.' } } });
    const agentRow = choicesOf(menu).find((c) => c.title === 'التحدث مع موظف');
    expect(agentRow).toBeDefined();

    // Tapping the list row comes back as its title; the handoff dialog asks why.
    const ask = await h.say(waId, msg.listReply(agentRow!.id, agentRow!.title));
    expect(ask.map(bodyOf)).toEqual([expect.stringContaining('ما سبب تواصلك باختصار؟')]);
    const queued = await h.say(waId, msg.text('أريد تعديل بيانات الجواز بعد تجديده'));
    expect(bodyOf(queued[0]!)).toContain('ترتيبك في القائمة: 1');
    expect(choicesOf(queued[0]!)).toEqual([{ id: 'إلغاء الانتظار', title: 'إلغاء الانتظار' }]);

    // The agent joins and writes: free-form text inside the window.
    let before = h.fake.sent.length;
    await hub.claim(key, AGENT);
    await hub.sendFromAgent(key, AGENT, 'أهلاً بك، أرسل لي رقم الطلب من فضلك');
    expect(h.fake.sent.slice(before).map((x) => [x.type, bodyOf(x)])).toEqual([
      ['text', 'انضم إليك سارة من خدمة العملاء، ويمكنك طرح استفسارك الآن.'],
      ['text', 'سارة (موظف خدمة العملاء): أهلاً بك، أرسل لي رقم الطلب من فضلك'],
    ]);
    // The user's answer goes to the agent, not to the bot.
    expect(await h.say(waId, msg.text('رقم الطلب ١٠٤٢'))).toEqual([]);
    expect((await hub.messages(key)).filter((m) => m.role === 'user').map((m) => m.text)).toEqual(['رقم الطلب ١٠٤٢']);

    // A day later the agent's reply can only go out as the approved template.
    now += 25 * HOUR;
    before = h.fake.sent.length;
    await hub.sendFromAgent(key, AGENT, 'تم تعديل البيانات بنجاح');
    const late = h.fake.sent.slice(before);
    expect(late.map((x) => x.type)).toEqual(['template']);
    expect(late[0]?.body).toMatchObject({ template: { name: 'musaed_update', language: { code: 'ar' } } });
    expect(bodyOf(late[0]!)).toBe('سارة (موظف خدمة العملاء): تم تعديل البيانات بنجاح');

    // The user answers (the window opens again); the agent ends; the rating is a list.
    await h.say(waId, msg.text('شكراً لك'));
    before = h.fake.sent.length;
    await hub.end(key, AGENT);
    const rating = h.fake.sent.slice(before);
    expect(rating.map((x) => x.type)).toEqual(['interactive']);
    expect(bodyOf(rating[0]!)).toContain('ما تقييمك للخدمة');
    expect(choicesOf(rating[0]!).map((c) => c.title)).toEqual(['5', '4', '3', '2', '1', 'تخطي']);

    // A score typed in Arabic-Indic digits, then the skip button for the comment.
    const comment = await h.say(waId, msg.text('٥'));
    expect(comment.map(bodyOf).join('\n')).toContain('هل من ملاحظة');
    const skip = choicesOf(comment.find((x) => x.type === 'interactive')!).find((c) => c.title === 'تخطي')!;
    const thanks = await h.say(waId, msg.buttonReply(skip.id, skip.title));
    expect(thanks.map(bodyOf).join('\n')).toContain('سُجّل تقييمك');

    // Back with the bot: the menu again, as a list.
    const back = await h.say(waId, msg.text('القائمة'));
    expect(choicesOf(back.find((x) => x.type === 'interactive')!).map((c) => c.title)).toContain('تجديد إقامة');
    expect(h.fake.reads.length).toBe(8);
    expect(h.fake.rejected).toEqual([]);
  });
});
