/**
 * What the agent sees and may do, over the agent API: the live relay read "after the last line"
 * in the embedded in-memory mode (it used to return nothing there), an ID the user typed shown
 * masked and revealed only on request to the agent holding the chat (audited, forgotten at the
 * end), and availability checked before the user is asked for a reason.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startApp } from '../helpers/app';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { buttons, say, texts } from '../helpers/http';
import { handoffModule, type AgentHub } from '../../adapters/handoff';
import { handoffDialogFactory } from '../../dialogs/handoffDialog';
import type { App } from '../../bot/app';
import { HANDOFF_DB, REDIS_URL, idOf, keyAgent, loginAgent, startRecorder, type Recorder } from './support';

let redis: Redis;
let recorder: Recorder;
const prefixes: string[] = [];
const apps: App[] = [];

beforeAll(async () => {
  redis = testRedis(HANDOFF_DB);
  recorder = await startRecorder();
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});
afterAll(async () => {
  for (const p of prefixes) await deleteByPrefix(redis, p);
  await recorder.close();
  redis.disconnect();
});

async function bot(env: Record<string, string>) {
  let hub!: AgentHub;
  const app = await startApp(
    { HANDOFF_SWEEP_MS: '3600000', ...env },
    { channels: [handoffModule({ onHub: (h) => (hub = h) })], features: [handoffDialogFactory] },
  );
  apps.push(app);
  const user = (conv: string, text: string, locale = 'ar-SA') => say(app.baseUrl, conv, text, { locale, extra: { serviceUrl: recorder.url } });
  return { app, hub, user };
}

function onRedis() {
  const prefix = uniquePrefix('agentview');
  prefixes.push(prefix);
  return { REDIS_URL, REDIS_KEY_PREFIX: prefix };
}

const SARA_KEY = 'sara-key-0123456789abcdef0123456789';
const OMAR_KEY = 'omar-key-0123456789abcdef0123456789';

type Line = { id: string; role: string; text: string; revealable?: boolean };

for (const [mode, env] of [['in memory (no REDIS_URL)', () => ({})], ['on Redis', onRedis]] as const) {
  describe(`the live relay ${mode}`, () => {
    it('returns only the lines after the one the console saw last, in order', async () => {
      const { app, user } = await bot(env());
      const agent = await loginAgent(app.baseUrl);
      await agent.call('POST', '/heartbeat');
      await user('lr-1', 'موظف');
      await user('lr-1', 'سؤال عن تأشيرة');
      expect((await agent.call('POST', `/conversations/${idOf('lr-1')}/claim`)).status).toBe(200);
      const first = (await agent.call('GET', `/conversations/${idOf('lr-1')}/messages?after=-`)).body.messages as Line[];
      const last = first.at(-1)!.id;
      expect(last).toMatch(/^\d{13}-\d+$/); // time-based ids, as Redis makes them

      await user('lr-1', 'السطر الأول');
      await user('lr-1', 'السطر الثاني');
      const after = (await agent.call('GET', `/conversations/${idOf('lr-1')}/messages?after=${last}`)).body.messages as Line[];
      expect(after.map((m) => m.text)).toEqual(['السطر الأول', 'السطر الثاني']);
      const none = (await agent.call('GET', `/conversations/${idOf('lr-1')}/messages?after=${after.at(-1)!.id}`)).body.messages as Line[];
      expect(none).toEqual([]);
    });
  });
}

describe('an ID number the user typed to the agent', () => {
  it('is masked on the relay, revealed only to the agent holding the chat, audited, and forgotten when the chat ends', async () => {
    const redisEnv = onRedis();
    const { app, hub, user } = await bot({ ...redisEnv, AGENT_API_KEYS: `sara:${SARA_KEY}:سارة,omar:${OMAR_KEY}:عمر` });
    const agent = keyAgent(app.baseUrl, SARA_KEY);
    await agent.call('POST', '/heartbeat');
    await user('rv-1', 'موظف');
    await user('rv-1', 'مشكلة في الإقامة');
    await agent.call('POST', `/conversations/${idOf('rv-1')}/claim`);
    await user('rv-1', 'رقم إقامتي ٢٣٤٥٦٧٨٩٠٤');
    await user('rv-1', 'شكرًا');

    const lines = (await agent.call('GET', `/conversations/${idOf('rv-1')}/messages`)).body.messages as Line[];
    const idLine = lines.find((m) => m.role === 'user' && m.text.startsWith('رقم إقامتي'))!;
    expect(idLine.text).not.toMatch(/2345678904|٢٣٤٥٦٧٨٩٠٤/);
    expect(idLine.revealable).toBe(true);
    expect(lines.find((m) => m.text === 'شكرًا')?.revealable).toBeUndefined(); // nothing was masked: nothing to reveal

    // Stored encrypted, never in clear.
    const sealed = await redis.hgetall(`${redisEnv.REDIS_KEY_PREFIX}ho:{emulator/conversations/rv-1}:sealed`);
    expect(Object.keys(sealed)).toEqual([idLine.id]);
    expect(JSON.stringify(sealed)).not.toMatch(/2345678904|٢٣٤٥٦٧٨٩٠٤/);

    // Another agent cannot.
    const other = keyAgent(app.baseUrl, OMAR_KEY);
    expect((await other.call('POST', `/conversations/${idOf('rv-1')}/messages/${idLine.id}/reveal`)).status).toBe(403);

    const shown = await agent.call('POST', `/conversations/${idOf('rv-1')}/messages/${idLine.id}/reveal`);
    expect(shown.status).toBe(200);
    expect(shown.body.text).toBe('رقم إقامتي ٢٣٤٥٦٧٨٩٠٤');
    const audit = await redis.xrange(`${redisEnv.REDIS_KEY_PREFIX}audit`, '-', '+');
    const reveal = audit.map(([, f]) => f).find((f) => f[3] === 'reveal');
    expect(reveal).toBeDefined();
    expect(reveal).toContain(idLine.id);
    expect(reveal!.join(' ')).not.toMatch(/2345678904|٢٣٤٥٦٧٨٩٠٤/);

    expect((await agent.call('POST', `/conversations/${idOf('rv-1')}/messages/9-0/reveal`)).status).toBe(404);
    expect((await agent.call('POST', `/conversations/${idOf('rv-1')}/messages/x/reveal`)).status).toBe(400);

    await hub.end('emulator/conversations/rv-1', { id: 'sara', name: 'سارة' });
    expect(await redis.exists(`${redisEnv.REDIS_KEY_PREFIX}ho:{emulator/conversations/rv-1}:sealed`)).toBe(0);
  });
});

describe('asking for an agent when none can answer', () => {
  it('says so at once instead of first asking for a reason nobody will read (Arabic and English)', async () => {
    const { user } = await bot(onRedis());
    const ar = await user('av-1', 'ابي اكلم موظف');
    expect(texts(ar).join()).toContain('لا يوجد موظف متاح');
    expect(texts(ar).join()).not.toContain('باختصار');
    expect(buttons(ar)).toContain('طلب تواصل');
    const en = await user('av-2', 'agent', 'en-US');
    expect(texts(en).join()).toContain('No agent is available right now');
    expect(texts(en).join()).not.toContain('In a line');
  });
});
