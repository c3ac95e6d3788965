/**
 * WhatsApp outbound over real HTTP and real Redis: the 24-hour window and the template, each
 * Graph API error code, numbered menus answered with ASCII or Arabic-Indic digits, and
 * "never sent twice" when the bot's connector call is retried.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Activity, CardAction } from 'botbuilder';
import { bodyOf, choicesOf, msg, startWhatsApp, type WhatsAppHarness } from './support';

const HOUR = 3600 * 1000;
const CONNECTOR_SECRET = 'wa-test-connector-secret';
let now = Date.now();
let h: WhatsAppHarness;

beforeAll(async () => {
  h = await startWhatsApp({ clock: () => now, env: { CONNECTOR_SECRET } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  now = Date.now();
  h.fake.reset();
});

const imBack = (title: string): CardAction => ({ type: 'imBack', title, value: title });
/** A user who wrote to us just now (inside the window). */
async function activeUser(): Promise<string> {
  const waId = h.newUser();
  await h.known(waId, now);
  return waId;
}

describe('the 24-hour customer-service window', () => {
  it('inside the window a proactive message goes out as free-form text', async () => {
    const waId = await activeUser();
    now += 23 * HOUR;
    const sent = await h.send(waId, { type: 'message', text: 'تم استلام طلبك رقم T-1042.' });
    expect(sent.map((s) => [s.type, bodyOf(s)])).toEqual([['text', 'تم استلام طلبك رقم T-1042.']]);
  });

  it('outside it the approved template carries the text, in the user\'s language', async () => {
    const waId = await activeUser();
    now += 25 * HOUR;
    const sent = await h.send(waId, { type: 'message', text: 'تم تحديث حالة طلبك.\nالحالة: **مقبول**', suggestedActions: { to: [], actions: [imBack('التفاصيل')] } });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toMatchObject({
      type: 'template',
      template: { name: 'musaed_update', language: { code: 'ar' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'تم تحديث حالة طلبك. — الحالة: *مقبول*' }] }] },
    });

    const english = await activeUser();
    now += 48 * HOUR;
    const en = await h.send(english, { type: 'message', text: 'Your request was updated.' }, 'en-US');
    expect(en[0]?.body).toMatchObject({ template: { language: { code: 'en' } } });
    expect(h.fake.rejected).toEqual([]);
  });

  it('a user who never wrote is reached only by the template', async () => {
    const sent = await h.send(h.newUser(), { type: 'message', text: 'تذكير: إقامة أحد التابعين تنتهي قريباً.' });
    expect(sent.map((s) => s.type)).toEqual(['template']);
  });

  it('a new message from the user reopens the window', async () => {
    const waId = await activeUser();
    now += 30 * HOUR;
    await h.say(waId, msg.text('hello'));
    h.fake.reset();
    const sent = await h.send(waId, { type: 'message', text: 'أهلاً بك من جديد' });
    expect(sent.map((s) => s.type)).toEqual(['text']);
  });
});

describe('Graph API errors', () => {
  it('131047 (outside the window by Meta\'s clock) → the template, once', async () => {
    const waId = await activeUser();
    h.fake.failNext(131047);
    const sent = await h.send(waId, { type: 'message', text: 'رد الموظف: تم حل المشكلة' });
    expect(h.fake.failures).toEqual([131047]);
    expect(sent.map((s) => s.type)).toEqual(['template']);
    expect(bodyOf(sent[0]!)).toBe('رد الموظف: تم حل المشكلة');
  });

  it.each([130429, 131056])('%i (rate limit) → backoff and retry, sent exactly once', async (code) => {
    const waId = await activeUser();
    h.fake.failNext(code, { times: 2 });
    const sent = await h.send(waId, { type: 'message', text: 'رسالة بعد تجاوز حد الإرسال' });
    expect(h.fake.failures).toEqual([code, code]);
    expect(sent.map(bodyOf)).toEqual(['رسالة بعد تجاوز حد الإرسال']);
  });

  it('5xx → retry with backoff, sent exactly once', async () => {
    const waId = await activeUser();
    h.fake.failNext(2, { times: 1, status: 503 });
    h.fake.failNext(1, { times: 1, status: 500 });
    const sent = await h.send(waId, { type: 'message', text: 'بعد تعافي الخدمة' });
    expect(h.fake.failures).toEqual([2, 1]);
    expect(sent.map(bodyOf)).toEqual(['بعد تعافي الخدمة']);
  });

  it('5xx that does not recover: gives up after the configured attempts, the bot keeps working', async () => {
    const waId = await activeUser();
    h.fake.failNext(1, { times: 10, status: 500 });
    const sent = await h.send(waId, { type: 'message', text: 'لن تصل' });
    expect(h.fake.failures).toHaveLength(4); // WHATSAPP_SEND_ATTEMPTS=4
    expect(sent).toEqual([]);
    h.fake.reset();
    expect((await h.send(waId, { type: 'message', text: 'وصلت' })).map(bodyOf)).toEqual(['وصلت']);
  });

  it('131026 (undeliverable) → gives up at once: no retry, no template', async () => {
    const waId = await activeUser();
    h.fake.failNext(131026, { times: 5 });
    const sent = await h.send(waId, { type: 'message', text: 'رسالة لرقم لا يستقبل' });
    expect(h.fake.failures).toEqual([131026]);
    expect(sent).toEqual([]);
  });
});

describe('the Connector API routes the bot sends through', () => {
  // The bot addresses a user by the pseudonym it knows them by; the route resolves the number.
  const post = (waId: string, activity: Partial<Activity>, headers: Record<string, string>) =>
    fetch(`${h.app.baseUrl}/connector/whatsapp/v3/conversations/${h.idOf(waId)}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(activity),
    });

  it('refuses calls without the connector secret', async () => {
    const waId = await activeUser();
    expect((await post(waId, { type: 'message', text: 'x' }, {})).status).toBe(401);
    expect((await post(waId, { type: 'message', text: 'x' }, { 'x-musaed-connector': 'wrong' })).status).toBe(401);
    expect(h.fake.sent).toEqual([]);
  });

  it('sends to the number behind the pseudonym; an unknown pseudonym sends nothing; a malformed id is refused', async () => {
    const waId = await activeUser();
    const auth = { 'x-musaed-connector': CONNECTOR_SECRET };
    expect((await post(waId, { type: 'message', text: 'إلى صاحب الرقم' }, auth)).status).toBe(200);
    expect(h.fake.sent.map((s) => [s.to, bodyOf(s)])).toEqual([[waId, 'إلى صاحب الرقم']]);
    // A pseudonym whose number is not kept (expired or erased): acknowledged, nothing sent.
    expect((await post(h.newUser(), { type: 'message', text: 'لمن؟' }, auth)).status).toBe(200);
    const bad = await fetch(`${h.app.baseUrl}/connector/whatsapp/v3/conversations/not%20an%20id/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: '{"type":"message","text":"x"}',
    });
    expect(bad.status).toBe(400);
    expect(h.fake.sent).toHaveLength(1);
    // A reference made before pseudonyms (a Tawasul watch lives 90 days) names the number itself: still delivered.
    const legacy = await fetch(`${h.app.baseUrl}/connector/whatsapp/v3/conversations/${waId}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ type: 'message', text: 'مرجع قديم' }),
    });
    expect(legacy.status).toBe(200);
    expect(h.fake.sent.slice(1).map((s) => [s.to, bodyOf(s)])).toEqual([[waId, 'مرجع قديم']]);
  });

  it('a retried call (same x-ms-client-request-id) never sends a part twice, and finishes what failed', async () => {
    const waId = await activeUser();
    const activity: Partial<Activity> = { type: 'message', text: 'بند طويل من الشروط. '.repeat(300), suggestedActions: { to: [], actions: [imBack('موافق'), imBack('غير موافق')] } };
    const headers = { 'x-musaed-connector': CONNECTOR_SECRET, 'x-ms-client-request-id': 'b3f1c2d4-0000-4000-8000-000000000001' };
    // The first text part goes through; every attempt at the second fails; the question after it still goes.
    h.fake.failNext(1, { times: 4, status: 500, after: 1 });
    const first = await post(waId, activity, headers);
    expect(first.status).toBe(200);
    expect(h.fake.sent.map((s) => s.type)).toEqual(['text', 'interactive']);
    const retried = await post(waId, activity, headers);
    expect(retried.status).toBe(200);
    expect(h.fake.sent.map((s) => s.type)).toEqual(['text', 'interactive', 'text']);
    const again = await post(waId, activity, headers);
    expect(again.status).toBe(200);
    expect(h.fake.sent).toHaveLength(3);
    expect(((await first.json()) as { id: string }).id).toBe(((await again.json()) as { id: string }).id);
    // A new call (another request id) is a new message.
    await post(waId, { type: 'message', text: 'ok' }, { ...headers, 'x-ms-client-request-id': 'b3f1c2d4-0000-4000-8000-000000000002' });
    await post(waId, { type: 'message', text: 'ok' }, { ...headers, 'x-ms-client-request-id': 'b3f1c2d4-0000-4000-8000-000000000003' });
    expect(h.fake.sent.slice(3).map(bodyOf)).toEqual(['ok', 'ok']);
  });

  it('updates and deletes are acknowledged without sending (WhatsApp cannot edit)', async () => {
    const waId = await activeUser();
    const url = `${h.app.baseUrl}/connector/whatsapp/v3/conversations/${h.idOf(waId)}/activities/abc`;
    const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-musaed-connector': CONNECTOR_SECRET }, body: '{"type":"message","text":"x"}' });
    expect(put.status).toBe(200);
    expect((await fetch(url, { method: 'DELETE', headers: { 'x-musaed-connector': CONNECTOR_SECRET } })).status).toBe(200);
    expect(h.fake.sent).toEqual([]);
  });
});

describe('numbered menus (more than 10 choices)', () => {
  const twelve = Array.from({ length: 12 }, (_, i) => `سؤال شائع رقم ${i + 1} عن الخدمات`);

  it('are answered with ASCII or Arabic-Indic numbers; other text passes through', async () => {
    const waId = await activeUser();
    const sent = await h.send(waId, { type: 'message', text: 'اختر سؤالك:', suggestedActions: { to: [], actions: twelve.map(imBack) } });
    expect(sent.map((s) => s.type)).toEqual(['text']);
    expect(bodyOf(sent[0]!)).toContain('12. سؤال شائع رقم 12 عن الخدمات');

    await h.say(waId, msg.text('٢'));
    await h.send(waId, { type: 'message', text: 'اختر سؤالك:', suggestedActions: { to: [], actions: twelve.map(imBack) } });
    await h.say(waId, msg.text(' 12. '));
    await h.send(waId, { type: 'message', text: 'اختر سؤالك:', suggestedActions: { to: [], actions: twelve.map(imBack) } });
    await h.say(waId, msg.text('١٣'));
    await h.say(waId, msg.text('3'));
    expect(h.seenFrom(waId).map((a) => a.text)).toEqual([twelve[1], twelve[11], '١٣', '3']);
  });

  it('a newer question with buttons replaces the menu', async () => {
    const waId = await activeUser();
    await h.send(waId, { type: 'message', text: 'اختر:', suggestedActions: { to: [], actions: twelve.map(imBack) } });
    const sent = await h.send(waId, { type: 'message', text: 'هل أنت متأكد؟', suggestedActions: { to: [], actions: [imBack('نعم'), imBack('لا')] } });
    expect(choicesOf(sent[0]!).map((c) => c.title)).toEqual(['نعم', 'لا']);
    await h.say(waId, msg.text('1'));
    expect(h.seenFrom(waId).map((a) => a.text)).toEqual(['1']);
  });
});
