/**
 * WhatsApp phone numbers at rest, over the signed webhook, real Redis and the fake Graph API:
 * after a conversation with a handoff, an agent's replies (inside the window and as the
 * template outside it) and a proactive message, no Redis key name holds the number — the
 * bot knows the user by an HMAC pseudonym and only wa:addr:<pseudonym> keeps the number —
 * and every reply still reaches the number. Then «احذف بياناتي», yes: no key name or value
 * holds the number or its pseudonym, and the confirmation still reaches the number.
 * Inbound message ids (wamids, base64 of the sender's number) are not kept either: the
 * de-duplication keys and the activity ids the bot, transcript and handoff see are their HMAC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TurnContext, type Activity } from 'botbuilder';
import { handoffModule, type AgentHub } from '../../adapters/handoff';
import { createTranslator } from '../../bot/i18n';
import { dumpUnder, testRedis } from '../helpers/redis';
import { bodyOf, msg, startWhatsApp, WA_DB, type WhatsAppHarness } from '../whatsapp/support';
import { wamidOf } from '../whatsapp/fakeGraph';

const HOUR = 3600 * 1000;
const AGENT = { id: 'sara', name: 'سارة' };
const { t } = createTranslator();
let now = Date.now();
let h: WhatsAppHarness;
let hub!: AgentHub;
const redis = testRedis(WA_DB);

beforeAll(async () => {
  h = await startWhatsApp({
    clock: () => now,
    env: { HANDOFF_SWEEP_MS: '3600000' },
    overrides: { channels: [handoffModule({ onHub: (x) => (hub = x) })] },
  });
});
afterAll(async () => {
  await h?.close();
  redis.disconnect();
});



/** The number as WhatsApp gives it (9665…), and without the country code or a leading zero (5…): "+9665…" and "05…" contain one of them. */
const formsOf = (waId: string) => [waId, waId.slice(3)];

/** A user who greeted the bot. */
async function greetedUser(): Promise<{ waId: string; id: string }> {
  const waId = h.newUser();
  const hello = await h.say(waId, msg.text('السلام عليكم'));
  expect(hello.length).toBeGreaterThan(0);
  return { waId, id: h.idOf(waId) };
}

/** The user asks for an agent and is queued (handoff records exist). */
async function queue(waId: string): Promise<void> {
  await h.say(waId, msg.text('ابي اكلم موظف'));
  const queued = await h.say(waId, msg.text('أريد تعديل بيانات الجواز بعد تجديده'));
  expect(bodyOf(queued[0]!)).toContain('ترتيبك في القائمة');
}

const dump = (prefix: string) => dumpUnder(redis, prefix);

describe('WhatsApp phone numbers at rest', () => {
  it('never form a key name: the bot, its state, transcript, lock and handoff see the pseudonym; replies reach the number', async () => {
    now = Date.now();
    await hub.heartbeat(AGENT);
    const { waId, id } = await greetedUser();
    const key = `whatsapp/conversations/${id}`;

    // A proactive message on the reference the bot itself keeps (as a Tawasul notification is sent).
    const seen = h.seenFrom(waId).at(-1) as Activity;
    const reference = TurnContext.getConversationReference(seen);
    expect(JSON.stringify(reference)).not.toContain(waId.slice(3));
    let before = h.fake.sent.length;
    await h.app.proactive.continueConversation(reference, async (tc) => {
      await tc.sendActivity('تحديث على طلبك في تواصل');
    });
    expect(h.fake.sent.slice(before).map((s) => [s.to, bodyOf(s)])).toEqual([[waId, 'تحديث على طلبك في تواصل']]);

    await queue(waId);
    expect(await redis.zrange(`${h.prefix}ho:{hub}:queue`, 0, -1)).toContain(key);
    // The agent joins and writes, inside the window.
    before = h.fake.sent.length;
    await hub.claim(key, AGENT);
    await hub.sendFromAgent(key, AGENT, 'أهلاً بك، كيف أخدمك؟');
    expect(h.fake.sent.slice(before).map((s) => [s.to, s.type])).toEqual([[waId, 'text'], [waId, 'text']]);

    // A day later the agent's reply goes out as the template, to the same number.
    now += 25 * HOUR;
    before = h.fake.sent.length;
    await hub.sendFromAgent(key, AGENT, 'تم تعديل البيانات');
    expect(h.fake.sent.slice(before).map((s) => [s.to, s.type])).toEqual([[waId, 'template']]);

    const stored = await dump(h.prefix);
    const names = stored.map(([k]) => k);
    for (const form of formsOf(waId)) expect(names.filter((k) => k.includes(form)), form).toEqual([]);
    // The keys of this conversation exist, named by the pseudonym.
    for (const kind of ['st:', 'tx:', '}:conv', 'wa:user:', 'wa:addr:']) {
      expect(names.some((k) => k.includes(kind) && k.includes(id)), kind).toBe(true);
    }
    // The number itself is kept once, as the value of wa:addr:<pseudonym>.
    expect(stored.filter(([, v]) => v.includes(waId.slice(3))).map(([k]) => k)).toEqual([`${h.prefix}wa:addr:${id}`]);
    expect(h.fake.rejected).toEqual([]);
  });

  it('«احذف بياناتي», yes: no key name or value holds the number or its pseudonym, and the confirmation reaches the number', async () => {
    now = Date.now();
    await hub.heartbeat(AGENT);
    const { waId, id } = await greetedUser();
    await queue(waId);
    const auditName = h.idOf(`whatsapp/conversations/${id}`);
    const mentions = (stored: Array<[string, string]>) =>
      stored.filter(([k, v]) => [...formsOf(waId), id, auditName].some((x) => k.includes(x) || v.includes(x))).map(([k]) => k);
    expect(mentions(await dump(h.prefix)).length).toBeGreaterThan(5);

    const confirm = await h.say(waId, msg.text('احذف بياناتي'));
    expect(confirm.map(bodyOf)[0]).toBe(t('ar', 'privacy:confirm'));
    const done = await h.say(waId, msg.text('نعم'));
    expect(done.map((s) => [s.to, bodyOf(s)])).toEqual([[waId, t('ar', 'privacy:deleted')]]);
    await new Promise((r) => setTimeout(r, 100)); // the turn's lock release

    expect(mentions(await dump(h.prefix))).toEqual([]);
    // Later replies to the erased pseudonym go nowhere.
    const late = await h.app.proactive
      .continueConversation(h.reference(waId), async (tc) => {
        await tc.sendActivity('لن تصل');
      })
      .then(() => h.fake.sent.filter((s) => bodyOf(s) === 'لن تصل'));
    expect(late).toEqual([]);
  });

  it('message ids (base64 of the number) never reach a key name or value; de-duplication, long ids and blue ticks still work', async () => {
    now = Date.now();
    await hub.heartbeat(AGENT);
    const waId = h.newUser();
    const ids = [wamidOf(waId), wamidOf(waId), wamidOf(waId), wamidOf(waId)];
    // As long as the webhook allows, with characters that need escaping: the long-id path.
    const long = (wamidOf(waId) + '/+='.repeat(90)).slice(0, 256);
    const hello = msg.text('السلام عليكم', ids[0]);
    expect((await h.say(waId, hello)).length).toBeGreaterThan(0);
    // Meta delivers the same message again: processed once.
    expect(await h.say(waId, hello)).toEqual([]);
    // A reply quoting one of the bot's messages (its wamid also encodes the number).
    expect((await h.say(waId, { ...msg.text('ابي اكلم موظف', ids[1]), context: { id: wamidOf(waId), from: waId } })).length).toBeGreaterThan(0);
    const queued = await h.say(waId, msg.text('أريد تعديل بيانات الجواز بعد تجديده', long));
    expect(bodyOf(queued[0]!)).toContain('ترتيبك في القائمة');
    await h.say(waId, msg.text('شكراً', ids[2]));
    expect(await h.say(waId, msg.text('شكراً', ids[2]))).toEqual([]);
    // Blue ticks are sent for the real id, which is kept only for the turn.
    expect(h.fake.reads.map((r) => r.messageId)).toEqual(expect.arrayContaining([ids[0], ids[1], long, ids[2]]));

    const seen = h.seenFrom(waId);
    expect(seen).toHaveLength(4);
    expect(new Set(seen.map((a) => a.id)).size).toBe(4);
    for (const a of seen) expect(a.id!.length).toBeLessThanOrEqual(100);

    const numberB64 = Buffer.from(waId).toString('base64');
    const forms = [...ids, long, numberB64, ...ids.map((x) => x.slice('wamid.'.length, 40)), ...formsOf(waId)];
    const stored = await dump(h.prefix);
    expect(stored.some(([k]) => k.includes('wa:seen:')), 'de-duplication keys').toBe(true);
    expect(stored.some(([k]) => k.includes('tx:')), 'a transcript').toBe(true);
    for (const [k, v] of stored) {
      for (const form of forms) {
        expect(k.includes(form), `key ${k} holds ${form}`).toBe(false);
        // The number itself is the value of wa:addr only (see above).
        if (!k.startsWith(`${h.prefix}wa:addr:`)) expect(v.includes(form), `value of ${k} holds ${form}`).toBe(false);
      }
    }
    // What the bot saw holds no id either (activity ids, reply-to ids in channel data).
    expect(JSON.stringify(seen)).not.toContain(numberB64);
  });
});
