/** WhatsApp settings, the disabled channel, a missing template, and phone numbers kept out of logs. */
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWhatsAppConfig, whatsAppChannel } from '../../adapters/whatsapp';
import { createLogger } from '../../bot/logger';
import { startApp } from '../helpers/app';
import { testRedis } from '../helpers/redis';
import { webhookOf } from './fakeGraph';
import { msg, startWhatsApp, WA_DB } from './support';

const CREDS = {
  WHATSAPP_VERIFY_TOKEN: 'v',
  WHATSAPP_APP_SECRET: 's',
  WHATSAPP_ACCESS_TOKEN: 't',
  WHATSAPP_PHONE_NUMBER_ID: '123456',
};

describe('loadWhatsAppConfig', () => {
  it('is disabled (undefined) with no credentials at all', () => {
    expect(loadWhatsAppConfig({})).toBeUndefined();
    expect(loadWhatsAppConfig({ WHATSAPP_APP_SECRET: '  ' })).toBeUndefined();
  });

  it('has defaults for the Graph URL, version and de-duplication TTL; parses the template', () => {
    const c = loadWhatsAppConfig({ ...CREDS, WHATSAPP_TEMPLATE_NOTIFY: 'musaed_update:ar,en' });
    expect(c).toMatchObject({
      graphUrl: 'https://graph.facebook.com',
      graphVersion: 'v21.0',
      dedupTtlSeconds: 7 * 24 * 3600,
      template: { name: 'musaed_update', languages: ['ar', 'en'] },
    });
    expect(loadWhatsAppConfig({ ...CREDS, WHATSAPP_GRAPH_URL: 'http://127.0.0.1:9999/' })?.graphUrl).toBe('http://127.0.0.1:9999');
  });

  it('names what is missing or wrong in one line', () => {
    expect(() => loadWhatsAppConfig({ WHATSAPP_APP_SECRET: 's' })).toThrow(
      /^Invalid configuration: WHATSAPP_VERIFY_TOKEN, WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID: required/,
    );
    expect(() => loadWhatsAppConfig({ ...CREDS, WHATSAPP_TEMPLATE_NOTIFY: 'musaed update' })).toThrow(/WHATSAPP_TEMPLATE_NOTIFY: expected name:lang/);
    expect(() => loadWhatsAppConfig({ ...CREDS, WHATSAPP_GRAPH_VERSION: '21' })).toThrow(/WHATSAPP_GRAPH_VERSION/);
    expect(() => loadWhatsAppConfig({ ...CREDS, WHATSAPP_DEDUP_TTL_SECONDS: 'soon' })).toThrow(/WHATSAPP_DEDUP_TTL_SECONDS/);
    expect(() => loadWhatsAppConfig({ ...CREDS, WHATSAPP_PHONE_NUMBER_ID: '+1 555' })).toThrow(/WHATSAPP_PHONE_NUMBER_ID: digits only/);
  });
});

describe('without configuration (npm start with no WhatsApp settings)', () => {
  it('the app starts and the WhatsApp routes answer 503 with a clear body', async () => {
    const app = await startApp({}, { channels: [whatsAppChannel()] });
    try {
      const get = await fetch(`${app.baseUrl}/api/whatsapp?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`);
      expect(get.status).toBe(503);
      expect(await get.json()).toMatchObject({ error: 'whatsapp_disabled', detail: expect.stringContaining('WHATSAPP_APP_SECRET') });
      const post = await fetch(`${app.baseUrl}/api/whatsapp`, { method: 'POST', body: '{}' });
      expect(post.status).toBe(503);
      expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('outside the window with no template configured, and logs', () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  let h: Awaited<ReturnType<typeof startWhatsApp>> | undefined;
  afterAll(async () => {
    await h?.close();
  });

  it('sends nothing, logs why, and never logs a phone number in clear', async () => {
    h = await startWhatsApp({
      env: { WHATSAPP_TEMPLATE_NOTIFY: '', LOG_LEVEL: 'trace' },
      overrides: { logger: createLogger({ level: 'trace', destination }) },
    });
    const saudi = h.newUser();
    const egyptian = '201001234567';
    await h.say(saudi, msg.text('السلام عليكم'));
    await h.say(egyptian, msg.text('hello'), msg.sticker());
    h.fake.failNext(131026);
    await h.send(egyptian, { type: 'message', text: 'x' });
    const sent = await h.send(h.newUser(), { type: 'message', text: 'تذكير بموعد انتهاء الإقامة' });
    expect(sent).toEqual([]);
    expect(lines.some((l) => l.includes('WHATSAPP_TEMPLATE_NOTIFY is not set'))).toBe(true);
    expect(lines.some((l) => l.includes('undeliverable'))).toBe(true);
    expect(lines.length).toBeGreaterThan(5);
    for (const number of [saudi, egyptian, saudi.slice(3), egyptian.slice(2)]) {
      expect(lines.filter((l) => l.includes(number))).toEqual([]);
    }
    expect(lines.filter((l) => l.includes(h!.fake.accessToken))).toEqual([]);
  });
});

describe('Redis unavailable when a webhook arrives', () => {
  it('answers 503 so Meta delivers again, and the redelivery is answered once Redis is back', async () => {
    const redis = testRedis(WA_DB);
    const h = await startWhatsApp({ overrides: { redis } });
    try {
      const waId = h.newUser();
      const payload = webhookOf(h.fake.phoneNumberId, waId, [msg.text('hello')]);
      redis.disconnect();
      expect((await h.fake.deliver(h.app.baseUrl, payload)).status).toBe(503);
      await h.channel.idle();
      expect(h.seenFrom(waId)).toEqual([]);
      await redis.connect();
      expect((await h.fake.deliver(h.app.baseUrl, payload)).status).toBe(200);
      await h.channel.idle();
      expect(h.seenFrom(waId).map((a) => a.text)).toEqual(['hello']);
      expect(h.fake.sent.filter((s) => s.to === waId).length).toBeGreaterThan(0);
    } finally {
      await h.close();
      redis.disconnect();
    }
  });
});
