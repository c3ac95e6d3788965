import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postActivity, say, texts, buttons } from '../helpers/http';
import { startApp } from '../helpers/app';
import type { App } from '../../bot/app';

describe('server over real HTTP (in-memory state)', () => {
  let app: App & { baseUrl: string };
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers health and metrics', async () => {
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^# TYPE musaed_turns_total counter/m);
    expect(metrics).toContain('musaed_turn_duration_seconds');
  });

  it('rejects malformed activities with 400, not 500', async () => {
    const cases: unknown[] = ['{"type":', '[]', {}, { type: 'message' }, { type: 'message', channelId: 'x', conversation: {}, from: { id: 'u' } }];
    for (const body of cases) {
      const { status } = await postActivity(app.baseUrl, body);
      expect(status, JSON.stringify(body)).toBe(400);
    }
    const { status } = await postActivity(app.baseUrl, {
      type: 'message', channelId: 'whatsapp', deliveryMode: 'expectReplies', conversation: { id: 'c' }, from: { id: 'u' }, text: 'hi',
    });
    expect(status).toBe(400);
  });

  it('rejects bodies over the size limit', async () => {
    const huge = 'x'.repeat(300 * 1024);
    const { status } = await postActivity(app.baseUrl, { type: 'message', text: huge });
    expect(status).toBe(413);
  });

  it('welcomes a first contact in both languages with the menu, then replies in the message language', async () => {
    const first = await say(app.baseUrl, 'srv-1', 'السلام عليكم');
    expect(texts(first).join('\n')).toMatch(/مساعد/);
    expect(texts(first).join('\n')).toMatch(/Welcome/);
    expect(buttons(first)).toEqual(['تجديد إقامة', 'طلب تواصل', 'متابعة طلب', 'تصاريح السفر', 'تحديث بيانات الجواز', 'عندي سؤال', 'التحدث مع موظف', 'تذكير انتهاء الإقامات', 'English']);
    // One Latin word inside an Arabic conversation does not switch the language.
    const same = await say(app.baseUrl, 'srv-1', 'hello', { locale: 'en-US' });
    expect(texts(same).join('\n')).toMatch(/كيف أقدر أساعدك/);
    const en = await say(app.baseUrl, 'srv-1b', 'hello', { locale: 'en-US' });
    expect(texts(en).join('\n')).toMatch(/Welcome/);
    expect(buttons(en)).toContain('Renew an iqama');
    expect(buttons(en)).toContain('العربية');
  });

  it('answers a very long message with a localised refusal', async () => {
    const replies = await say(app.baseUrl, 'srv-2', 'ا'.repeat(5000));
    expect(texts(replies).join()).toContain('طويلة');
  });
});
