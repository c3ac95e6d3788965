/**
 * The webhook's edge cases as Meta documents them, over real HTTP with signed bodies and real
 * Redis: contacts without wa_id (username-only users), one bad part in a batch, bodies up to
 * 3 MB, value-level errors, shared locations, reactions and system notices (no read receipt),
 * names for photos and voice notes, and error codes kept in the logs.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../bot/logger';
import { bodyOf, msg, startWhatsApp, type WhatsAppHarness } from './support';
import { changeOf, newWamid, webhookOf } from './fakeGraph';

const lines: string[] = [];
let h: WhatsAppHarness;

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  h = await startWhatsApp({ overrides: { logger: createLogger({ level: 'info', destination }) } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.fake.reset();
  lines.length = 0;
});

const now = () => String(Math.floor(Date.now() / 1000));
const logged = (msgText: string) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msgText);

describe('a batch is never refused for one part', () => {
  it('a contact without wa_id (a username-only user) and their message are skipped; the other user in the batch is answered; 200', async () => {
    const waId = h.newUser();
    const payload = changeOf(h.fake.phoneNumberId, {
      contacts: [
        { profile: { name: 'ريم', username: '@reem.k' }, user_id: 'SA.1502576394655843' },
        { profile: { name: 'عبدالله' }, wa_id: waId, user_id: 'SA.99887766554433' },
      ],
      messages: [
        { from_user_id: 'SA.1502576394655843', id: newWamid(), timestamp: now(), type: 'text', text: { body: 'السلام عليكم' } },
        { from: waId, from_user_id: 'SA.99887766554433', id: newWamid(), timestamp: now(), type: 'text', text: { body: 'مرحبا' } },
      ],
    });
    const res = await h.fake.deliver(h.app.baseUrl, payload);
    expect(res.status).toBe(200);
    await h.channel.idle();
    expect(h.seenFrom(waId).map((a) => [a.text, a.from?.name])).toEqual([['مرحبا', 'عبدالله']]);
    expect(h.fake.sent.filter((s) => s.to === waId).length).toBeGreaterThan(0);
    expect(logged("WhatsApp messages without the sender's number (username-only users) were skipped")).toEqual([expect.objectContaining({ messages: 1 })]);
    // Nothing that identifies the skipped user is logged.
    const all = lines.join('\n');
    for (const secret of ['SA.1502576394655843', 'reem', 'ريم', 'السلام عليكم']) expect(all).not.toContain(secret);
  });

  it('a malformed entry, change or message next to good ones: the good ones are processed, 200', async () => {
    const waId = h.newUser();
    const good = webhookOf(h.fake.phoneNumberId, waId, [msg.text('واحد'), { id: newWamid(), type: 'text' /* no text object: still a message */ }]) as {
      entry: Array<{ changes: unknown[] }>;
    };
    const firstEntry = good.entry[0]!;
    firstEntry.changes.push({ field: 'messages', value: 'not an object' }, 'not a change');
    const value = (firstEntry.changes[0] as { value: { messages: unknown[] } }).value;
    value.messages.push({ from: 'not-a-number', id: newWamid(), type: 'text', text: { body: 'x' } }, msg.text('اثنان'));
    (value.messages[3] as Record<string, unknown>).from = waId;
    const payload = { ...good, entry: [{ id: 'x', changes: 'nope' }, ...good.entry] };
    const res = await h.fake.deliver(h.app.baseUrl, payload);
    expect(res.status).toBe(200);
    await h.channel.idle();
    expect(h.seenFrom(waId).map((a) => a.text)).toEqual(['واحد', 'اثنان']);
    expect(logged('WhatsApp webhook parts without the documented shape were skipped')).toEqual([expect.objectContaining({ invalid: 4 })]);
  });

  it('a signed body that is not a webhook at all is still refused with 400', async () => {
    expect((await h.fake.deliver(h.app.baseUrl, undefined, { raw: Buffer.from('{"object":"whatsapp_business_account","entry":"nope"}') })).status).toBe(400);
  });
});

describe('webhook bodies up to 3 MB', () => {
  it('a 2.5 MB webhook (a batch with many statuses) is read, verified and processed; more than 3 MiB is refused with 413', async () => {
    const waId = h.newUser();
    const statuses = Array.from({ length: 8000 }, (_, i) => ({ id: `wamid.OUT${i}${'x'.repeat(200)}`, status: 'delivered', timestamp: now(), recipient_id: waId }));
    const payload = changeOf(h.fake.phoneNumberId, {
      contacts: [{ profile: { name: 'عبدالله' }, wa_id: waId }],
      messages: [{ from: waId, ...msg.text('رسالة في دفعة كبيرة'), timestamp: now() }],
      statuses,
    });
    const raw = h.fake.serialize(payload);
    expect(raw.length).toBeGreaterThan(2_000_000);
    expect(raw.length).toBeLessThan(3_000_000);
    const res = await h.fake.deliver(h.app.baseUrl, payload, { raw });
    expect(res.status).toBe(200);
    await h.channel.idle();
    expect(h.seenFrom(waId).map((a) => a.text)).toEqual(['رسالة في دفعة كبيرة']);

    const huge = Buffer.concat([raw.subarray(0, raw.length - 1), Buffer.from(`,"pad":"${'y'.repeat(1_200_000)}"}`)]);
    expect((await h.fake.deliver(h.app.baseUrl, undefined, { raw: huge })).status).toBe(413);
  });
});

describe('value-level errors', () => {
  it('are logged with their code and title, and answered 200', async () => {
    const payload = changeOf(h.fake.phoneNumberId, {
      errors: [{ code: 131000, title: 'Something went wrong', message: 'Something went wrong', error_data: { details: 'Unknown error' } }],
    });
    expect((await h.fake.deliver(h.app.baseUrl, payload)).status).toBe(200);
    await h.channel.idle();
    expect(logged('WhatsApp reports an error for this app or number')).toEqual([expect.objectContaining({ level: 'error', code: 131000, title: 'Something went wrong' })]);
    expect(h.fake.sent).toEqual([]);
  });
});

describe('read receipts only for messages that get an answer', () => {
  it('a reaction and a system notice get neither a read receipt nor a reply; the text in the same batch gets both', async () => {
    const waId = h.newUser();
    const textId = newWamid();
    const sent = await h.say(
      waId,
      { id: newWamid(), type: 'reaction', reaction: { message_id: 'wamid.OUT1', emoji: '👍' } },
      { id: newWamid(), type: 'system', system: { body: 'User changed number', type: 'user_changed_number', wa_id: '966500000000' } },
      msg.text('السلام عليكم', textId),
    );
    expect(h.fake.reads).toEqual([{ messageId: textId, typing: true }]);
    expect(h.seenFrom(waId).map((a) => a.text)).toEqual(['السلام عليكم']);
    expect(sent.length).toBeGreaterThan(0);
  });
});

describe('shared locations', () => {
  it('are never read as an answer: the bot gets no turn and the user a localised reply, in the middle of a question too', async () => {
    const waId = h.newUser();
    await h.say(waId, msg.text('أبي أجدد جوازي'));
    const turns = h.seenFrom(waId).length;
    const reply = await h.say(waId, msg.location(24.7136, 46.6753, 'حي الملقا', 'الرياض 12622'));
    expect(h.seenFrom(waId)).toHaveLength(turns);
    expect(reply.map(bodyOf)).toEqual(['وصلني الموقع، لكن لا يمكنني استخدامه هنا، ولا تحتاجه أي خدمة لدي. يُرجى كتابة الطلب أو الإجابة نصاً.']);
    expect(reply.map(bodyOf).join()).not.toContain('12622');
    expect(h.fake.reads).toHaveLength(2);

    const english = h.newUser();
    await h.say(english, msg.text('hello there my friend'));
    const en = await h.say(english, msg.location(21.5, 39.2));
    expect(en.map(bodyOf)).toEqual(["Thanks, but I can't use a shared location here, and none of my services needs one. Please type your request or answer."]);
  });
});

describe('names for files WhatsApp sends without one', () => {
  it('a photo and a voice note are named by kind in the user\'s language, with the extension of their type; a document keeps its own name', async () => {
    const waId = h.newUser();
    await h.say(
      waId,
      msg.image('img-1', 'image/jpeg'),
      msg.audio('aud-1', 'audio/ogg; codecs=opus'),
      { id: newWamid(), type: 'audio', audio: { id: 'aud-2', mime_type: 'audio/mpeg', voice: false } },
      msg.document('doc-1', 'application/pdf', 'الإقامة.pdf'),
    );
    const names = h.seenFrom(waId).map((a) => a.attachments?.[0]?.name ?? '');
    expect(names[0]).toMatch(/^صورة-[\w-]{6}\.jpg$/);
    expect(names[1]).toMatch(/^تسجيل-صوتي-[\w-]{6}\.ogg$/);
    expect(names[2]).toMatch(/^مقطع-صوتي-[\w-]{6}\.mp3$/);
    expect(names[3]).toBe('الإقامة.pdf');
    expect(new Set(names).size).toBe(4);

    const english = h.newUser();
    await h.say(english, msg.text('hello there my friend'));
    await h.say(english, msg.image('img-2', 'image/png'));
    expect(h.seenFrom(english)[1]?.attachments?.[0]?.name).toMatch(/^photo-[\w-]{6}\.png$/);
  });
});

describe('logs keep error codes and hide one-time codes', () => {
  it('a Graph error is logged with its numeric code', async () => {
    const waId = h.newUser();
    await h.known(waId, Date.now());
    h.fake.failNext(131026);
    await h.send(waId, { type: 'message', text: 'رسالة لن تصل' });
    const line = logged('WhatsApp message undeliverable (131026): giving up')[0] as { err?: { code?: unknown } } | undefined;
    expect(line?.err?.code).toBe(131026);
  });

  it('a one-time code in a field named code is still censored; identifiers are kept', () => {
    const out: string[] = [];
    const logger = createLogger({ destination: new Writable({ write: (c: Buffer, _e, cb) => (out.push(c.toString()), cb()) }) });
    logger.info({ code: '482913', otp: '482913', body: { code: '٤٨٢٩١٣' } }, 'verify');
    logger.info({ code: 'ECONNREFUSED', err: { code: 131047 } }, 'failed');
    const [verify, failed] = out.map((l) => JSON.parse(l) as Record<string, any>);
    expect(verify).toMatchObject({ code: '[redacted]', otp: '[redacted]', body: { code: '[redacted]' } });
    expect(failed).toMatchObject({ code: 'ECONNREFUSED', err: { code: 131047 } });
  });
});
