/** `npm start` without REDIS_URL: the channel works on the in-process Redis stand-in (pub/sub, files, rate limit). */
import { expect, it } from 'vitest';
import { startApp } from '../helpers/app';
import { directLineChannel } from '../../adapters/directline';
import { Conversation } from './support';

it('serves a conversation, a WebSocket and an upload with no Redis configured', async () => {
  const app = await startApp({}, { channels: [directLineChannel()] });
  const { token } = (await (await fetch(`${app.baseUrl}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string };
  const c = new Conversation(app.baseUrl, { token, webSocket: true, locale: 'ar-SA' });
  await c.waitForBot(2);
  await c.say('السلام عليكم');
  const form = new FormData();
  form.append('file', new Blob([Buffer.from('%PDF-1.4 x')], { type: 'application/pdf' }), 'a.pdf');
  const up = await fetch(`${app.baseUrl}/v3/directline/conversations/${c.conversationId}/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  expect(up.status).toBe(200);
  const echo = await c.waitFor((a) => Boolean((a as {attachments?: unknown[]}).attachments?.length));
  const link = (echo as { attachments: Array<{ contentUrl: string }> }).attachments[0]!.contentUrl;
  const r = await fetch(link);
  expect(r.status).toBe(200);
  expect(await r.text()).toBe('%PDF-1.4 x');
  c.end();
  await app.close();
});
