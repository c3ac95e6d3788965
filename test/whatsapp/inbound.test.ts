/**
 * WhatsApp inbound over real HTTP and real Redis: verification, signatures over the raw bytes,
 * de-duplication of retried webhooks, every message type, statuses, media on demand.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bodyOf, choicesOf, msg, startWhatsApp, VERIFY_TOKEN, type WhatsAppHarness } from './support';
import { newWamid, statusWebhookOf, webhookOf } from './fakeGraph';

let h: WhatsAppHarness;

beforeAll(async () => {
  h = await startWhatsApp();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.fake.reset());

describe('webhook verification (GET /api/whatsapp)', () => {
  const verify = (query: string) => fetch(`${h.app.baseUrl}/api/whatsapp?${query}`);

  it('answers the challenge as the body when the token is right', async () => {
    const res = await verify(`hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1158201444');
  });

  it('refuses a wrong token, a missing token and another mode with 403', async () => {
    expect((await verify('hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1')).status).toBe(403);
    expect((await verify('hub.mode=subscribe&hub.challenge=1')).status).toBe(403);
    expect((await verify(`hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`)).status).toBe(403);
  });
});

describe('signatures (X-Hub-Signature-256 over the raw body)', () => {
  it('accepts Meta-style escaped Arabic signed over the exact bytes, and the bot reads the Arabic', async () => {
    const waId = h.newUser();
    const payload = webhookOf(h.fake.phoneNumberId, waId, [msg.text('السلام عليكم')]);
    const raw = h.fake.serialize(payload);
    expect(raw.toString('utf8')).toContain('\\u0627\\u0644\\u0633\\u0644\\u0627\\u0645');
    expect(raw.toString('utf8')).not.toMatch(/[\u0600-\u06ff]/);
    const res = await h.fake.deliver(h.app.baseUrl, payload, { raw });
    expect(res.status).toBe(200);
    await h.channel.idle();
    expect(h.seenFrom(waId).map((a) => a.text)).toEqual(['السلام عليكم']);
    expect(h.fake.sent.filter((s) => s.to === waId).length).toBeGreaterThan(0);
  });

  it('rejects a wrong, a missing, a malformed signature and a body altered by one byte with 401, processing nothing', async () => {
    const waId = h.newUser();
    const payload = webhookOf(h.fake.phoneNumberId, waId, [msg.text('hello')]);
    const raw = h.fake.serialize(payload);
    const good = h.fake.signatureOf(raw);
    const altered = Buffer.from(raw);
    const at = altered.indexOf('hello');
    altered[at] = 'j'.charCodeAt(0);
    const wrongSecret = `sha256=${'0'.repeat(64)}`;

    for (const attempt of [
      { signature: wrongSecret },
      { signature: null },
      { signature: 'sha1=abc' },
      { signature: good.toUpperCase() },
      { signature: good, raw: altered },
    ]) {
      const res = await h.fake.deliver(h.app.baseUrl, payload, { raw, ...attempt });
      expect(res.status, JSON.stringify(attempt.signature)).toBe(401);
    }
    await h.channel.idle();
    expect(h.seenFrom(waId)).toEqual([]);
    expect(h.fake.sent).toEqual([]);
    expect(h.fake.reads).toEqual([]);
  });

  it('refuses a signed body that is not a webhook with 400', async () => {
    const raw = Buffer.from('{"object":"whatsapp_business_account","entry":"nope"}');
    expect((await h.fake.deliver(h.app.baseUrl, undefined, { raw })).status).toBe(400);
    const notJson = Buffer.from('not json');
    expect((await h.fake.deliver(h.app.baseUrl, undefined, { raw: notJson })).status).toBe(400);
  });
});

describe('at-least-once deliveries', () => {
  it('answers a message once when Meta retries the webhook, even concurrently', async () => {
    const waId = h.newUser();
    const payload = webhookOf(h.fake.phoneNumberId, waId, [msg.text('hello', newWamid())]);
    const results = await Promise.all([1, 2, 3].map(() => h.fake.deliver(h.app.baseUrl, payload)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    await h.channel.idle();
    const again = await h.fake.deliver(h.app.baseUrl, payload);
    expect(again.status).toBe(200);
    await h.channel.idle();
    expect(h.seenFrom(waId)).toHaveLength(1);
    expect(h.fake.reads).toHaveLength(1);
    const sentTo = h.fake.sent.filter((s) => s.to === waId);
    expect(sentTo.length).toBeGreaterThan(0);
    // Exactly one turn's replies: the welcome and the menu, not twice.
    expect(sentTo.map(bodyOf).filter((b) => b.includes('Musaed'))).toHaveLength(1);
  });

  it('processes several messages of one webhook in order and marks each read with the typing indicator', async () => {
    const waId = h.newUser();
    const ids = [newWamid(), newWamid(), newWamid()];
    await h.say(waId, msg.text('واحد', ids[0]), msg.text('اثنان', ids[1]), msg.text('ثلاثة', ids[2]));
    expect(h.seenFrom(waId).map((a) => a.text)).toEqual(['واحد', 'اثنان', 'ثلاثة']);
    expect(h.fake.reads).toEqual(ids.map((messageId) => ({ messageId, typing: true })));
  });
});

describe('inbound message types → activities', () => {
  it('text: channel whatsapp, the wa_id\'s pseudonym as the conversation and the user, the profile name', async () => {
    const waId = h.newUser();
    const id = newWamid();
    await h.say(waId, msg.text('مرحبا', id));
    const [a] = h.seenFrom(waId);
    expect(a).toMatchObject({
      type: 'message',
      channelId: 'whatsapp',
      text: 'مرحبا',
      from: { id: h.idOf(waId), name: 'عبدالله' },
      conversation: { id: h.idOf(waId) },
      recipient: { id: h.fake.phoneNumberId },
    });
    expect(a?.serviceUrl).toBe(`${h.app.baseUrl}/connector/whatsapp/`);
    // The bot never sees the number: not as it came, nor without the country code.
    expect(h.idOf(waId)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(a)).not.toContain(waId.slice(3));
    // Nor the message id (base64 of the number): its HMAC, the same on every process.
    expect(a?.id).toMatch(/^wa\.[A-Za-z0-9_-]{22}$/);
    expect(a?.id).toBe(`wa.${h.idOf(`wamid:${id}`)}`);
  });

  it('button and list replies arrive as the choice carried in their id; a template quick reply as its text', async () => {
    const waId = h.newUser();
    await h.say(waId, msg.buttonReply('تجديد إقامة', 'تجديد إقامة'), msg.listReply('متابعة طلب', 'متابعة…'), msg.quickReply('نعم', 'YES_PAYLOAD'));
    const seen = h.seenFrom(waId);
    expect(seen.map((a) => a.text)).toEqual(['تجديد إقامة', 'متابعة طلب', 'نعم']);
    expect(seen[2]?.value).toEqual({ payload: 'YES_PAYLOAD' });
  });

  it('image, document and audio become attachments whose link downloads the bytes in two steps with the bearer token', async () => {
    const waId = h.newUser();
    const pdf = Buffer.from('%PDF-1.4 iqama copy');
    h.fake.addMedia('media-doc-1', pdf, 'application/pdf');
    h.fake.addMedia('media-img-1', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 'image/jpeg');
    h.fake.addMedia('media-aud-1', Buffer.from('OggS-voice'), 'audio/ogg');
    await h.say(
      waId,
      msg.document('media-doc-1', 'application/pdf', 'صورة الإقامة.pdf', 'مرفق الإقامة'),
      msg.image('media-img-1', 'image/jpeg', 'صورة الجواز'),
      msg.audio('media-aud-1', 'audio/ogg; codecs=opus'),
    );
    const [doc, img, audio] = h.seenFrom(waId);
    expect(doc?.text).toBe('مرفق الإقامة');
    expect(doc?.attachments?.[0]).toMatchObject({ contentType: 'application/pdf', name: 'صورة الإقامة.pdf' });
    expect(img?.text).toBe('صورة الجواز');
    expect(img?.attachments?.[0]?.contentType).toBe('image/jpeg');
    expect(audio?.attachments?.[0]?.contentType).toBe('audio/ogg; codecs=opus');

    const url = doc?.attachments?.[0]?.contentUrl ?? '';
    expect(url.startsWith(`${h.app.baseUrl}/api/whatsapp/media/`)).toBe(true);
    h.fake.requests.length = 0;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(pdf);
    expect(h.fake.requests.map((r) => [r.path, r.auth])).toEqual([
      [`/${h.fake.version}/media-doc-1`, true],
      ['/whatsapp_business/attachments/', true],
    ]);
    const audioRes = await fetch(audio?.attachments?.[0]?.contentUrl ?? '');
    expect(Buffer.from(await audioRes.arrayBuffer()).toString()).toBe('OggS-voice');
  });

  it('the media link is signed: another id or a forged signature gets 403; an unknown media id gets 502', async () => {
    const waId = h.newUser();
    h.fake.addMedia('media-x', Buffer.from('x'), 'image/png');
    await h.say(waId, msg.image('media-x', 'image/png'), msg.image('media-gone', 'image/png'));
    const [x, gone] = h.seenFrom(waId).map((a) => a.attachments?.[0]?.contentUrl ?? '');
    expect((await fetch(x!.replace('media-x', 'media-y'))).status).toBe(403);
    expect((await fetch(x!.replace(/sig=[0-9a-f]{4}/, 'sig=0000'))).status).toBe(403);
    expect((await fetch(`${h.app.baseUrl}/api/whatsapp/media/media-x`)).status).toBe(403);
    expect((await fetch(gone!)).status).toBe(502);
  });

  it('a location gets the channel\'s localised answer, never a bot turn (its address is not an answer)', async () => {
    const waId = h.newUser();
    const sent = await h.say(waId, msg.location(24.7136, 46.6753, 'الجوازات - الرياض', 'طريق الملك فهد'));
    expect(h.seenFrom(waId)).toEqual([]);
    expect(sent.map(bodyOf)).toEqual(['وصلني الموقع، لكن لا يمكنني استخدامه هنا، ولا تحتاجه أي خدمة لدي. يُرجى كتابة الطلب أو الإجابة نصاً.']);
  });

  it('statuses (sent, delivered, read, failed) are handled without a turn or a reply', async () => {
    const waId = h.newUser();
    for (const status of ['sent', 'delivered', 'read', 'failed']) {
      const res = await h.fake.deliver(h.app.baseUrl, statusWebhookOf(h.fake.phoneNumberId, waId, status));
      expect(res.status).toBe(200);
    }
    await h.channel.idle();
    expect(h.seenFrom(waId)).toEqual([]);
    expect(h.fake.sent).toEqual([]);
    expect(h.fake.reads).toEqual([]);
  });

  it('an unsupported type gets the polite localised answer without a bot turn, in the user\'s language', async () => {
    const waId = h.newUser();
    const sent = await h.say(waId, msg.sticker());
    expect(h.seenFrom(waId)).toEqual([]);
    expect(sent.map(bodyOf)).toEqual(['أستطيع قراءة النصوص والأزرار والملفات فقط. يُرجى كتابة طلبك نصاً، أو إرساله ملفاً أو صورة.']);
    expect(h.fake.reads).toHaveLength(1);

    const english = h.newUser();
    await h.say(english, msg.text('hello there my friend'));
    const reply = await h.say(english, msg.unsupported());
    expect(reply.map(bodyOf)).toEqual(['I can read text, buttons and files. Please type your request, or send it as a file or photo.']);
  });

  it('a bot reply with the main menu becomes an Arabic list whose rows carry the titles, never rejected', async () => {
    const waId = h.newUser();
    const sent = await h.say(waId, msg.text('السلام عليكم'));
    const list = sent.find((s) => s.type === 'interactive');
    expect(list?.body).toMatchObject({ interactive: { type: 'list', action: { button: 'عرض الخيارات' } } });
    expect(choicesOf(list!).map((r) => r.title)).toContain('تجديد إقامة');
    expect(choicesOf(list!).map((r) => r.id)).toContain('التحدث مع موظف');
    expect(h.fake.rejected).toEqual([]);
  });
});
