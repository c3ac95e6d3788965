/**
 * Bad input never crashes the channel: malformed JSON 400, oversize 413, wrong content type
 * 415, activities the user may not send 400, a bad watermark 400; the loopback connector
 * takes only the app's own signed calls; and the conversation carries on afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDirectLineConfig, DEV_DIRECTLINE_SECRET } from '../../adapters/directline';
import { CONNECTOR_SECRET_HEADER } from '../../bot/adapter';
import { cleanRedis, Conversation, startDirectLine, type DirectLineHarness } from './support';

describe('Direct Line bad input', () => {
  let h: DirectLineHarness;
  let c: Conversation;
  let token: string;
  let url: string;
  beforeAll(async () => {
    h = await startDirectLine({ env: { CONNECTOR_SECRET: 'connector-secret-for-tests-1234567890' } });
    ({ token } = await h.token());
    c = new Conversation(h.app.baseUrl, { token, webSocket: true, locale: 'ar-SA' });
    await c.waitForBot(2);
    url = `${h.app.baseUrl}/v3/directline/conversations/${c.conversationId}/activities`;
  });
  afterAll(async () => {
    c.end();
    await h.close();
    await cleanRedis(h.prefix);
  });

  const post = (body: string, type = 'application/json') =>
    fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

  it('answers malformed JSON 400, oversize 413, wrong content type 415', async () => {
    const malformed = await post('{"type":"message",');
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).code).toBe('malformed_json');
    const big = await post(JSON.stringify({ type: 'message', text: 'x'.repeat(300 * 1024) }));
    expect(big.status).toBe(413);
    const form = await post('type=message&text=hi', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
    const none = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '' });
    expect(none.status).toBe(415);
  });

  it('refuses activities a user may not send, with the field that is wrong', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ type: 'conversationUpdate', membersAdded: [{ id: 'x' }] }, /^type: /],
      [{ type: 'invoke', name: 'adaptiveCard/action' }, /^type: /],
      [{ text: 'no type' }, /^type: /],
      [{ type: 'message', text: 42 }, /^text: /],
      [{ type: 'message', locale: 'not a locale!' }, /^locale: /],
      [{ type: 'message', attachments: [{ contentType: 'image/png', contentUrl: 'http://169.254.169.254/latest' }] }, /^attachments\.0\.contentUrl: .*upload/],
      [[1, 2, 3], /^activity: |^\(root\)|: /],
      ['"just a string"', /: /],
    ];
    for (const [body, detail] of cases) {
      const res = await post(typeof body === 'string' ? body : JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe('invalid_activity');
      expect(error.message).toMatch(detail);
    }
  });

  it('does not let the client choose ids, sender, conversation or channel', async () => {
    const res = await post(
      JSON.stringify({
        type: 'message',
        text: 'spoof',
        id: 'my-own-id',
        from: { id: 'dl_admin', name: 'x', role: 'bot' },
        conversation: { id: 'another' },
        channelId: 'whatsapp',
        serviceUrl: 'http://169.254.169.254/',
        recipient: { id: 'someone' },
        channelData: { clientActivityID: 'spoof-1' },
      }),
    );
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    await h.channel.idle();
    const turn = h.seen.find((a) => a.id === id)!;
    expect(turn.channelId).toBe('musaed.webchat');
    expect(turn.conversation?.id).toBe(c.conversationId);
    expect(turn.from).toMatchObject({ role: 'user' });
    expect(turn.from?.id).toMatch(/^dl_(?!admin)/);
    expect(turn.serviceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/connector\/directline\/$/);
    expect(turn.recipient?.id).toBe('musaed');
  });

  it('answers a bad watermark 400 and a watermark past the end with the real end', async () => {
    const bad = await fetch(`${url}?watermark=abc`, { headers: { authorization: `Bearer ${token}` } });
    expect(bad.status).toBe(400);
    const far = await fetch(`${url}?watermark=999999`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await far.json()) as { activities: unknown[]; watermark: string };
    expect(body.activities).toEqual([]);
    expect(Number(body.watermark)).toBeLessThan(999999);
  });

  it('takes connector calls only with the app secret, and only for known conversations', async () => {
    const connector = `${h.app.baseUrl}/connector/directline/v3/conversations/${c.conversationId}/activities`;
    const body = JSON.stringify({ type: 'message', text: 'injected' });
    const anon = await fetch(connector, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(anon.status).toBe(401);
    const wrong = await fetch(connector, { method: 'POST', headers: { 'content-type': 'application/json', [CONNECTOR_SECRET_HEADER]: 'guess' }, body });
    expect(wrong.status).toBe(401);
    const unknown = await fetch(`${h.app.baseUrl}/connector/directline/v3/conversations/NoSuchConversation00/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONNECTOR_SECRET_HEADER]: 'connector-secret-for-tests-1234567890' },
      body,
    });
    expect(unknown.status).toBe(404);
    const polled = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(JSON.stringify(await polled.json())).not.toContain('injected');
  });

  it('is still serving the conversation after all that', async () => {
    const replies = await c.say('السلام عليكم');
    expect(replies).toHaveLength(1);
    expect((await fetch(`${h.app.baseUrl}/healthz`)).status).toBe(200);
  });
});

describe('Direct Line config', () => {
  it('runs with no settings outside production (development secret, anonymous tokens)', () => {
    const cfg = loadDirectLineConfig({ NODE_ENV: 'development' });
    expect(cfg).toMatchObject({ secret: DEV_DIRECTLINE_SECRET, devSecret: true, allowAnonymous: true, tokenTtlSeconds: 1800, trustedProxies: 0 });
  });

  it('refuses to start in production without a real secret, and closes anonymous tokens there by default', () => {
    expect(() => loadDirectLineConfig({ NODE_ENV: 'production' })).toThrow(/^Invalid configuration: DIRECTLINE_SECRET: required in production$/);
    expect(() => loadDirectLineConfig({ NODE_ENV: 'production', DIRECTLINE_SECRET: DEV_DIRECTLINE_SECRET })).toThrow(/development default/);
    const prod = loadDirectLineConfig({ NODE_ENV: 'production', DIRECTLINE_SECRET: 's'.repeat(40) });
    expect(prod.allowAnonymous).toBe(false);
    expect(loadDirectLineConfig({ NODE_ENV: 'production', DIRECTLINE_SECRET: 's'.repeat(40), DIRECTLINE_ALLOW_ANONYMOUS: 'true' }).allowAnonymous).toBe(true);
  });

  it('names the variable in one line when a value is wrong', () => {
    expect(() => loadDirectLineConfig({ DIRECTLINE_SECRET: 'short' })).toThrow(/^Invalid configuration: DIRECTLINE_SECRET: .*32/);
    expect(() => loadDirectLineConfig({ DIRECTLINE_TOKEN_TTL_SECONDS: '5' })).toThrow(/^Invalid configuration: DIRECTLINE_TOKEN_TTL_SECONDS: /);
    expect(() => loadDirectLineConfig({ DIRECTLINE_ALLOW_ANONYMOUS: 'maybe' })).toThrow(/^Invalid configuration: DIRECTLINE_ALLOW_ANONYMOUS: /);
  });
});
