/**
 * The handoff across two bot processes on one Redis: the user talks to process A, the
 * agent works on process B. Round trip, silence of the bot while held, the end and the
 * rating; queue order, claim races, transfer, cancel; 401 on every agent route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { hashPassword } from '../../adapters/handoff/auth';
import { startProcess, type Child } from '../helpers/processes';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { buttons, say, texts } from '../helpers/http';
import { HANDOFF_DB, REDIS_URL, idOf, keyAgent, loginAgent, startRecorder, type AgentClient, type Recorder } from './support';

const BOB_KEY = 'bob-key-0123456789abcdef';
let a: Child;
let b: Child;
let redis: Redis;
let recorder: Recorder;
const prefix = uniquePrefix('handoff2p');

beforeAll(async () => {
  redis = testRedis(HANDOFF_DB);
  recorder = await startRecorder();
  const env = {
    NODE_ENV: 'test',
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    CONNECTOR_SECRET: 'shared-secret-for-tests',
    AGENT_CREDENTIALS: `agent:${await hashPassword('agent123')}:أحمد`,
    AGENT_API_KEYS: `bob:${BOB_KEY}:Bob`,
    HANDOFF_SWEEP_MS: '3600000',
    HANDOFF_AVG_HANDLE_SECONDS: '300',
    LOG_LEVEL: 'silent',
  };
  [a, b] = await Promise.all([startProcess('test/handoff/fixtures/server.ts', env), startProcess('test/handoff/fixtures/server.ts', env)]);
}, 90_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await recorder?.close();
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

/** The user, always on process A; proactive messages go to the recorder. */
const user = (conversationId: string, text: string, locale = 'ar-SA') =>
  say(a.url, conversationId, text, { locale, extra: { serviceUrl: recorder.url } });

async function queueOf(agent: AgentClient) {
  const res = await agent.call('GET', '/queue');
  expect(res.status).toBe(200);
  return res.body.items as Array<{ id: string; status: string; reason: string; channel: string; lang: string; waitingSeconds: number }>;
}

async function enqueue(conversationId: string, reason: string): Promise<string[]> {
  expect(texts(await user(conversationId, 'موظف')).join('\n')).toContain('سبب تواصلك');
  return texts(await user(conversationId, reason));
}

describe('handoff across two processes', () => {
  it('offers a Tawasul request instead of a queue when no agent is online', async () => {
    // Said at once: no reason is asked for when nobody can read it.
    const offer = await user('c-nobody', 'موظف');
    expect(texts(offer).join('\n')).not.toContain('سبب تواصلك');
    expect(texts(offer).join('\n')).toContain('لا يوجد موظف متاح حاليًا');
    expect(buttons(offer)).toEqual(['طلب تواصل', 'القائمة الرئيسية']);
  });

  it('user on A, agent on B: queue, claim, both ways, silence, end and rating', async () => {
    const agent = await loginAgent(b.url); // the demo agent أحمد; signing in puts them online
    const conv = 'c-round-trip';
    const queued = await enqueue(conv, 'انخصمت رسوم التجديد مرتين');
    expect(queued.join('\n')).toContain('ترتيبك في القائمة: 1');
    expect(queued.join('\n')).toContain('5 دقائق');

    // While waiting, messages are kept for the agent and the user is told where they stand.
    expect(texts(await user(conv, 'هل من أحد؟')).join('\n')).toContain('ما زلت في قائمة الانتظار');

    const items = await queueOf(agent);
    const item = items.find((i) => i.id === idOf(conv));
    expect(item).toMatchObject({ status: 'queued', reason: 'انخصمت رسوم التجديد مرتين', channel: 'emulator', lang: 'ar' });

    const claimed = await agent.call('POST', `/conversations/${idOf(conv)}/claim`);
    expect(claimed.status).toBe(200);
    expect(claimed.body.transcript.map((e: { text: string }) => e.text)).toContain('موظف');
    expect(claimed.body.messages.map((m: { text: string }) => m.text)).toContain('هل من أحد؟');
    await recorder.waitFor(conv, (x) => (x.text ?? '').includes('انضم إليك أحمد'));

    // The bot stays silent while the agent holds the chat, even for its own commands.
    expect(await user(conv, 'رقم هويتي 2345678904')).toEqual([]);
    expect(await user(conv, 'القائمة')).toEqual([]);
    const after = await agent.call('GET', `/conversations/${idOf(conv)}/messages`);
    const lines = after.body.messages.map((m: { text: string }) => m.text);
    expect(lines).toContain('رقم هويتي 2*****8904');
    expect(lines).toContain('القائمة');
    expect(lines.join(' ')).not.toContain('2345678904');

    // Agent → user, from process B, with the agent's name.
    const sent = await agent.call('POST', `/conversations/${idOf(conv)}/messages`, { text: 'أهلًا، سأراجع العملية الآن', attachments: [{ contentType: 'application/pdf', contentUrl: 'https://example.org/receipt.pdf', name: 'receipt.pdf' }] });
    expect(sent.status).toBe(200);
    const delivered = await recorder.waitFor(conv, (x) => (x.text ?? '').includes('سأراجع العملية'));
    expect(delivered.text).toBe('أحمد (موظف خدمة العملاء): أهلًا، سأراجع العملية الآن');
    expect(delivered.from).toMatchObject({ name: 'أحمد', role: 'agent' });
    expect(delivered.attachments?.[0]).toMatchObject({ contentUrl: 'https://example.org/receipt.pdf', name: 'receipt.pdf' });

    // End: back to the bot, which asks for a rating and stores it.
    expect((await agent.call('POST', `/conversations/${idOf(conv)}/end`)).status).toBe(200);
    const ask = await recorder.waitFor(conv, (x) => (x.text ?? '').includes('ما تقييمك'));
    expect(ask.text).toContain('أنهى أحمد المحادثة');
    expect((ask.suggestedActions?.actions ?? []).map((x) => x.title)).toEqual(['5', '4', '3', '2', '1', 'تخطي']);
    expect(texts(await user(conv, '٤')).join('\n')).toContain('هل من ملاحظة');
    expect(texts(await user(conv, 'الموظف كان متعاونًا')).join('\n')).toContain('سُجّل تقييمك');

    const ratings = await redis.xrange(`${prefix}ho:{hub}:ratings`, '-', '+');
    expect(ratings).toHaveLength(1);
    const fields = ratings[0]?.[1] ?? [];
    expect(fields).toEqual(expect.arrayContaining(['conversation', 'agent', 'agent', 'score', '4', 'comment', 'الموظف كان متعاونًا']));
    // The rating names the conversation by its HMAC, never in clear.
    const named = fields[fields.indexOf('conversation') + 1] ?? '';
    expect(named).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(fields.join(' ')).not.toContain(conv);

    // The bot is back.
    expect(buttons(await user(conv, 'القائمة'))).toContain('تجديد إقامة');

    const audit = await redis.xrange(`${prefix}audit`, '-', '+');
    const actions = audit.map(([, f]) => `${f[1]}:${f[3]}:${f[5] ? 'conv' : ''}`);
    expect(actions).toEqual(expect.arrayContaining(['agent:claim:conv', 'agent:message:conv', 'agent:end:conv']));
    for (const [, f] of audit) expect(f).toEqual(expect.arrayContaining(['agent', 'action', 'conversation', 'at']));
  });

  it('keeps the queue in order and lets exactly one of two agents claim at once', async () => {
    const ahmad = await loginAgent(b.url);
    const bob = keyAgent(a.url, BOB_KEY); // the other agent is on the other process
    expect((await bob.call('POST', '/heartbeat')).status).toBe(200);
    const convs = ['q-1', 'q-2', 'q-3', 'q-4'];
    for (const [i, c] of convs.entries()) {
      const replies = (await enqueue(c, `سبب ${i + 1}`)).join('\n');
      expect(replies).toContain(`ترتيبك في القائمة: ${i + 1}`);
    }
    const queued = (await queueOf(ahmad)).filter((i) => i.status === 'queued').map((i) => i.id);
    expect(queued).toEqual(convs.map((c) => idOf(c)));

    for (const c of convs) {
      const [x, y] = await Promise.all([
        ahmad.call('POST', `/conversations/${idOf(c)}/claim`),
        bob.call('POST', `/conversations/${idOf(c)}/claim`),
      ]);
      expect([x.status, y.status].sort()).toEqual([200, 409]);
      const winner = x.status === 200 ? ahmad : bob;
      const loser = x.status === 200 ? bob : ahmad;
      // Only the winner may read or write the conversation.
      expect((await loser.call('GET', `/conversations/${idOf(c)}`)).status).toBe(403);
      expect((await loser.call('POST', `/conversations/${idOf(c)}/messages`, { text: 'hi' })).status).toBe(403);
      expect((await winner.call('POST', `/conversations/${idOf(c)}/end`)).status).toBe(200);
    }
  });

  it('transfer puts the conversation back at the head of the queue; the user can cancel while waiting', async () => {
    const agent = await loginAgent(b.url);
    await enqueue('t-1', 'أولًا');
    await enqueue('t-2', 'ثانيًا');
    expect((await agent.call('POST', `/conversations/${idOf('t-1')}/claim`)).status).toBe(200);
    expect((await agent.call('POST', `/conversations/${idOf('t-1')}/transfer`)).status).toBe(200);
    await recorder.waitFor('t-1', (x) => (x.text ?? '').includes('أُعيدت محادثتك إلى قائمة الانتظار'));
    const order = (await queueOf(agent)).filter((i) => i.status === 'queued').map((i) => i.id);
    expect(order.indexOf(idOf('t-1'))).toBeLessThan(order.indexOf(idOf('t-2')));
    // Transfer of a conversation one does not hold is refused.
    expect((await agent.call('POST', `/conversations/${idOf('t-2')}/transfer`)).status).toBe(409);

    const left = texts(await user('t-2', 'إلغاء')).join('\n');
    expect(left).toContain('خروجك من قائمة الانتظار');
    expect((await queueOf(agent)).map((i) => i.id)).not.toContain(idOf('t-2'));
    expect((await agent.call('POST', `/conversations/${idOf('t-2')}/claim`)).status).toBe(409);
    expect(buttons(await user('t-2', 'القائمة'))).toContain('تجديد إقامة');
    expect((await user('t-1', 'إلغاء')).length).toBeGreaterThan(0);
  });

  it('live events reach an agent on B when the user writes on A (Redis pub/sub)', async () => {
    const agent = await loginAgent(b.url);
    await enqueue('s-1', 'حدث مباشر');
    expect((await agent.call('POST', `/conversations/${idOf('s-1')}/claim`)).status).toBe(200);
    const controller = new AbortController();
    const res = await fetch(`${b.url}/api/agent/events`, { headers: { authorization: `Bearer ${agent.token}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const read = async (until: string) => {
      while (!seen.includes(until)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${until}: ${seen}`);
        seen += decoder.decode(value, { stream: true });
      }
    };
    await read('"hello"');
    expect(await user('s-1', 'رسالة من العملية أ')).toEqual([]);
    await read(`"id":"${idOf('s-1')}"`);
    expect(seen).toContain('"type":"message"');
    controller.abort();
    expect((await agent.call('GET', `/conversations/${idOf('s-1')}/messages`)).body.messages.map((m: { text: string }) => m.text)).toContain('رسالة من العملية أ');
    expect((await agent.call('POST', `/conversations/${idOf('s-1')}/end`)).status).toBe(200);
  });

  it('answers 401 on every agent route without a valid session or key, and sessions expire', async () => {
    const id = idOf('whatever');
    const routes: Array<[string, string]> = [
      ['POST', '/logout'], ['GET', '/me'], ['POST', '/heartbeat'], ['GET', '/queue'], ['GET', '/events'],
      ['POST', `/conversations/${id}/claim`], ['GET', `/conversations/${id}`], ['GET', `/conversations/${id}/messages`],
      ['POST', `/conversations/${id}/messages`], ['POST', `/conversations/${id}/transfer`], ['POST', `/conversations/${id}/end`],
    ];
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer not-a-real-session-token-000000' }, { 'x-agent-key': 'wrong-key-0123456789' }, { authorization: 'Basic YWdlbnQ6YWdlbnQxMjM=' }];
    for (const url of [a.url, b.url]) {
      for (const [method, path] of routes) {
        for (const headers of attempts) {
          const res = await fetch(`${url}/api/agent${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: method === 'POST' ? '{"text":"x"}' : undefined });
          expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        }
      }
    }
    expect((await fetch(`${a.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent', password: 'wrong' }) })).status).toBe(401);

    // A session made on B works on A (sessions live in Redis) until it expires.
    const agent = await loginAgent(b.url);
    const onA = { authorization: `Bearer ${agent.token}` };
    expect((await fetch(`${a.url}/api/agent/me`, { headers: onA })).status).toBe(200);
    const keys = await redis.keys(`${prefix}ho:{hub}:session:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      const ttl = await redis.ttl(k);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(8 * 3600);
      expect(k).not.toContain(agent.token);
      await redis.pexpire(k, 1);
    }
    await new Promise((r) => setTimeout(r, 20));
    expect((await fetch(`${a.url}/api/agent/me`, { headers: onA })).status).toBe(401);
  });
});
