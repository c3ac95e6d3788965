/**
 * The handoff inside one process (real HTTP, real Redis): the protocol mode's events,
 * timeouts, working hours, restarts, English, the guard on proactive bot messages, and
 * the small parsers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Activity, ConversationReference } from 'botbuilder';
import type { Redis } from 'ioredis';
import { startApp } from '../helpers/app';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { buttons, messageActivity, postActivity, say, texts } from '../helpers/http';
import { handoffModule, type AgentHub } from '../../adapters/handoff';
import { parseRating, simplify } from '../../adapters/handoff/gate';
import { isWithinHours, parseHours } from '../../adapters/handoff/hours';
import { handoffDialogFactory } from '../../dialogs/handoffDialog';
import { createTranslator } from '../../bot/i18n';
import type { App } from '../../bot/app';
import { HANDOFF_DB, REDIS_URL, idOf, loginAgent, startRecorder, type Recorder } from './support';

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

async function bot(env: Record<string, string> = {}, prefix = uniquePrefix('handoff')) {
  prefixes.push(prefix);
  let hub!: AgentHub;
  const app = await startApp(
    { REDIS_URL, REDIS_KEY_PREFIX: prefix, HANDOFF_SWEEP_MS: '3600000', ...env },
    { channels: [handoffModule({ onHub: (h) => (hub = h) })], features: [handoffDialogFactory] },
  );
  apps.push(app);
  const user = (conv: string, text: string, locale = 'ar-SA') => say(app.baseUrl, conv, text, { locale, extra: { serviceUrl: recorder.url } });
  /** Every activity of the reply (events too), not only messages. */
  const post = async (conv: string, extra: Record<string, unknown>) => {
    const { status, json } = await postActivity(app.baseUrl, messageActivity(conv, '', { extra: { serviceUrl: recorder.url, ...extra } }));
    expect(status).toBe(200);
    return ((json as { activities?: Partial<Activity>[] }).activities ?? []);
  };
  return { app, hub, user, post, prefix };
}

const AGENT = { id: 'sara', name: 'سارة' };
const keyOf = (conv: string) => `emulator/conversations/${conv}`;

/** A conversation that asked for an agent, gave its reason, and was claimed. */
async function heldByAgent(conv: string, reason: string) {
  const started = await bot();
  await started.hub.heartbeat(AGENT);
  await started.user(conv, 'موظف');
  await started.user(conv, reason);
  await started.hub.claim(keyOf(conv), AGENT);
  const record = await started.hub.get(keyOf(conv));
  return { ...started, record };
}

describe('protocol mode (external contact center)', () => {
  it('emits handoff.initiate with the context and transcript, and follows handoff.status', async () => {
    const { user, post, prefix, app, hub } = await bot({ HANDOFF_MODE: 'protocol' });
    await user('p-1', 'هلا');
    expect(texts(await user('p-1', 'موظف')).join()).toContain('سبب تواصلك');
    const replies = await post('p-1', { text: 'أريد تعديل بيانات الجواز' });
    const initiate = replies.find((r) => r.type === 'event');
    expect(initiate?.name).toBe('handoff.initiate');
    expect(initiate?.value).toMatchObject({ context: { reason: 'أريد تعديل بيانات الجواز', trigger: 'user', language: 'ar' } });
    const transcript = initiate?.attachments?.[0];
    expect(transcript).toMatchObject({ contentType: 'application/json', name: 'Transcript' });
    const said = (transcript?.content as { activities: Array<{ text: string }> }).activities.map((x) => x.text);
    expect(said).toEqual(expect.arrayContaining(['هلا', 'موظف']));
    expect(texts(replies.filter((r) => r.type === 'message')).join()).toContain('جارٍ تحويلك');

    const accepted = await post('p-1', { type: 'event', name: 'handoff.status', value: { state: 'accepted' } });
    expect(texts(accepted).join()).toContain('تم توصيلك');
    // While the contact center has it, the bot says nothing.
    expect(await user('p-1', 'القائمة')).toEqual([]);

    // A notification meanwhile is kept, and comes with the end of the handoff, before the rating.
    const record = await hub.get(keyOf('p-1'));
    await app.proactive.continueConversation(record!.reference, async (tc) => {
      await tc.sendActivity('إشعار أثناء التحويل');
    });
    expect(recorder.activities.filter((a) => a.conversationId === 'p-1').map((a) => a.text)).not.toContain('إشعار أثناء التحويل');
    const completed = await post('p-1', { type: 'event', name: 'handoff.status', value: { state: 'completed' } });
    const completedTexts = texts(completed.filter((r) => r.type === 'message'));
    expect(completedTexts[0]).toBe('إشعار أثناء التحويل');
    expect(completedTexts.join()).toContain('ما تقييمك');
    expect(texts(await user('p-1', 'خمسة')).join()).toContain('هل من ملاحظة');
    expect(texts(await user('p-1', 'تخطي')).join()).toContain('سُجّل تقييمك');
    const ratings = await redis.xrange(`${prefix}ho:{hub}:ratings`, '-', '+');
    expect(ratings[0]?.[1]).toEqual(expect.arrayContaining(['agent', 'external', 'score', '5', 'comment', '']));
    expect(buttons(await user('p-1', 'القائمة'))).toContain('تجديد إقامة');
  });

  it('handoff.status failed: an apology and a Tawasul offer, and the bot is back', async () => {
    const { user, post } = await bot({ HANDOFF_MODE: 'protocol' });
    await user('p-2', 'موظف');
    await user('p-2', 'مشكلة في الدفع');
    const failed = await post('p-2', { type: 'event', name: 'handoff.status', value: { state: 'failed', message: 'no agents' } });
    expect(texts(failed).join()).toContain('تعذّر تحويلك');
    expect(buttons(failed)).toContain('طلب تواصل');
    expect(buttons(await user('p-2', 'القائمة'))).toContain('تجديد إقامة');
  });

  it('a contact center that never answers: after the longest wait the user is back with the bot, offered Tawasul', async () => {
    const { user, hub } = await bot({ HANDOFF_MODE: 'protocol', HANDOFF_MAX_WAIT_SECONDS: '600' });
    await user('p-4', 'موظف');
    await user('p-4', 'مشكلة في الدفع');
    expect(await user('p-4', 'أحد هنا؟')).toEqual([]);
    expect((await hub.sweep(Date.now() + 599_000)).timedOut).toBe(0);
    expect((await hub.sweep(Date.now() + 601_000)).timedOut).toBe(1);
    const notice = await recorder.waitFor('p-4', (a) => (a.text ?? '').includes('لم يردّ مركز خدمة العملاء'));
    expect(notice.suggestedActions?.actions.map((a) => a.title)).toContain('طلب تواصل');
    expect(await hub.get(keyOf('p-4'))).toBeUndefined();
    expect(buttons(await user('p-4', 'القائمة'))).toContain('تجديد إقامة');
    // Answered in time, it is no longer watched.
    await user('p-5', 'موظف');
    await user('p-5', 'سؤال');
    await hub.setStatus(keyOf('p-5'), 'protocolHeld');
    expect((await hub.sweep(Date.now() + 601_000)).timedOut).toBe(0);
  });

  it('ignores handoff.status for a conversation that was not handed over', async () => {
    const { post } = await bot({ HANDOFF_MODE: 'protocol' });
    expect(await post('p-3', { type: 'event', name: 'handoff.status', value: { state: 'completed' } })).toEqual([]);
  });
});

describe('hub mode in one process', () => {
  it('outside working hours offers Tawasul instead of a queue', async () => {
    const { user, hub } = await bot({ HANDOFF_HOURS: 'Sun 00:00-00:00' });
    await hub.heartbeat(AGENT);
    const replies = await user('h-1', 'موظف'); // said at once, before any reason is asked
    expect(texts(replies).join()).toContain('أوقات العمل الرسمية');
    expect(buttons(replies)).toEqual(['طلب تواصل', 'القائمة الرئيسية']);
    expect(await hub.queue()).toEqual([]);
  });

  it('an unclaimed conversation past the maximum wait is offered Tawasul; an idle claimed one goes back to the queue', async () => {
    const { user, hub, prefix } = await bot({ HANDOFF_MAX_WAIT_SECONDS: '60', HANDOFF_IDLE_SECONDS: '120' });
    await hub.heartbeat(AGENT);
    await user('w-1', 'موظف');
    await user('w-1', 'أنتظر منذ مدة');
    await user('w-2', 'موظف');
    await user('w-2', 'سؤال آخر');
    await hub.claim(keyOf('w-2'), AGENT);

    expect(await hub.sweep(Date.now() + 30_000)).toEqual({ timedOut: 0, requeued: 0 });
    expect(await hub.sweep(Date.now() + 61_000)).toEqual({ timedOut: 1, requeued: 0 });
    const offer = await recorder.waitFor('w-1', (a) => (a.text ?? '').includes('طال انتظارك'));
    expect((offer.suggestedActions?.actions ?? []).map((a) => a.title)).toContain('طلب تواصل');
    expect(buttons(await user('w-1', 'القائمة'))).toContain('تجديد إقامة'); // the bot has it back

    expect(await hub.sweep(Date.now() + 121_000)).toEqual({ timedOut: 0, requeued: 1 });
    expect((await hub.get(keyOf('w-2')))?.status).toBe('queued');
    await recorder.waitFor('w-2', (a) => (a.text ?? '').includes('أُعيدت محادثتك'));
    const audit = await redis.xrange(`${prefix}audit`, '-', '+');
    expect(audit.map(([, f]) => f[3])).toEqual(expect.arrayContaining(['claim', 'idle-return']));
  });

  it('a restart loses no queued conversation: another process picks it up and reaches the user', async () => {
    const first = await bot();
    await first.hub.heartbeat(AGENT);
    await first.user('r-1', 'موظف');
    await first.user('r-1', 'قبل إعادة التشغيل');
    await first.app.close();
    apps.splice(apps.indexOf(first.app), 1);

    const second = await bot({ AGENT_CREDENTIALS: '' }, first.prefix);
    const agent = await loginAgent(second.app.baseUrl); // the development demo agent
    const queue = await agent.call('GET', '/queue');
    expect(queue.body.items.map((i: { id: string }) => i.id)).toEqual([idOf('r-1')]);
    expect((await agent.call('POST', `/conversations/${idOf('r-1')}/claim`)).status).toBe(200);
    expect((await agent.call('POST', `/conversations/${idOf('r-1')}/messages`, { text: 'مرحبًا' })).status).toBe(200);
    await recorder.waitFor('r-1', (a) => a.text === 'أحمد (موظف خدمة العملاء): مرحبًا');
  });

  it('keeps proactive bot messages out while an agent holds the chat, and relays user attachments', async () => {
    const { app, hub, record } = await heldByAgent('g-1', 'عندي مرفق');
    await app.proactive.continueConversation(record!.reference, async (tc) => {
      await tc.sendActivity('تذكير آلي من المساعد');
    });
    expect(recorder.activities.filter((a) => a.conversationId === 'g-1').map((a) => a.text)).not.toContain('تذكير آلي من المساعد');

    const withFile = await say(app.baseUrl, 'g-1', 'صورة الإيصال', {
      extra: { serviceUrl: recorder.url, attachments: [{ contentType: 'image/png', contentUrl: 'https://files.example/r.png', name: 'r.png' }] },
    });
    expect(withFile).toEqual([]);
    const lines = await hub.messages(keyOf('g-1'));
    expect(lines.at(-1)).toMatchObject({ role: 'user', text: 'صورة الإيصال', attachments: [{ contentType: 'image/png', url: 'https://files.example/r.png', name: 'r.png' }] });  // not one of our stored files: a link shown as text
  });

  it('keeps a notification that arrives while an agent holds the chat, and delivers it once, before the rating question', async () => {
    const { app, hub, record } = await heldByAgent('n-1', 'سؤال عن تذكرتي');
    let sendResolved = false;
    await app.proactive.continueConversation(record!.reference, async (tc) => {
      await tc.sendActivity('تغيرت حالة طلب تواصل 700000105: تمت المعالجة');
      sendResolved = true;
    });
    expect(sendResolved).toBe(true);
    const seen = () => recorder.activities.filter((a) => a.conversationId === 'n-1').map((a) => a.text ?? '');
    expect(seen()).not.toContain('تغيرت حالة طلب تواصل 700000105: تمت المعالجة');

    await hub.end(keyOf('n-1'), AGENT);
    const ask = createTranslator().t('ar', 'handoff:rating.ask');
    await recorder.waitFor('n-1', (a) => (a.text ?? '').includes(ask));
    const after = seen();
    const notice = after.indexOf('تغيرت حالة طلب تواصل 700000105: تمت المعالجة');
    const rating = after.findIndex((t) => t.includes(ask));
    expect(notice).toBeGreaterThanOrEqual(0);
    expect(notice).toBeLessThan(rating);
    // Delivered once: nothing is left to send again.
    expect(await hub.takeDeferred(keyOf('n-1'))).toEqual([]);
  });

  it('speaks English to an English user, with the wait in minutes', async () => {
    const { user, hub } = await bot({ HANDOFF_AVG_HANDLE_SECONDS: '90' });
    await hub.heartbeat(AGENT);
    expect(texts(await user('e-1', 'agent', 'en-US')).join()).toContain('In a line');
    const queued = texts(await user('e-1', 'my payment failed twice', 'en-US')).join();
    expect(queued).toContain('Your place in the queue: 1');
    expect(queued).toContain('about 2 minutes');
    expect(buttons(await user('e-1', 'anything?', 'en-US'))).toEqual(['Stop waiting']);
    expect(texts(await user('e-1', 'Stop waiting', 'en-US')).join()).toContain("you've left the queue");
  });

  it('asks why when a dialog failed, and keeps the context the bot collected for the agent', async () => {
    const { hub, app } = await bot();
    await hub.heartbeat(AGENT);
    // A feature dialog that fails starts the handoff with trigger "failure" and its task context.
    const reference = { channelId: 'emulator', serviceUrl: recorder.url, conversation: { id: 'f-1' }, user: { id: 'u' }, bot: { id: 'bot' }, locale: 'ar-SA' } as Partial<ConversationReference>;
    await hub.enqueue({ reference, lang: 'ar', reason: 'فشل التجديد', trigger: 'failure', task: { intent: 'iqama.renew', verified: true, details: { dependent: 'سارة (****8904)' } } });
    const agent = await loginAgent(app.baseUrl);
    const claimed = await agent.call('POST', `/conversations/${idOf('f-1')}/claim`);
    expect(claimed.body).toMatchObject({ trigger: 'failure', reason: 'فشل التجديد', context: { intent: 'iqama.renew', verified: true, details: { dependent: 'سارة (****8904)' } } });
  });
});

describe('agent sign-in', () => {
  it('pauses sign-in after repeated wrong passwords (429), shared by every process', async () => {
    const prefix = uniquePrefix('login');
    prefixes.push(prefix);
    const make = () => startApp({ REDIS_URL, REDIS_KEY_PREFIX: prefix }, { channels: [handoffModule({ loginAttempts: 3 })], features: [handoffDialogFactory] });
    const [one, two] = [await make(), await make()];
    apps.push(one, two);
    const attempt = (app: App & { baseUrl: string }, password: string) =>
      fetch(`${app.baseUrl}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent', password }) }).then((r) => r.status);
    expect(await attempt(one, 'nope-1')).toBe(401);
    expect(await attempt(two, 'nope-2')).toBe(401);
    expect(await attempt(one, 'nope-3')).toBe(401);
    expect(await attempt(two, 'agent123')).toBe(429);
  });

  it('works without Redis (development: in-memory state) with the demo agent', async () => {
    const app = await startApp({}, { channels: [handoffModule()], features: [handoffDialogFactory] });
    apps.push(app);
    const agent = await loginAgent(app.baseUrl);
    expect((await agent.call('GET', '/queue')).status).toBe(200);
    await say(app.baseUrl, 'm-1', 'موظف', { extra: { serviceUrl: recorder.url } });
    expect(texts(await say(app.baseUrl, 'm-1', 'سؤال', { extra: { serviceUrl: recorder.url } })).join()).toContain('ترتيبك في القائمة: 1');
    expect((await agent.call('POST', `/conversations/${idOf('m-1')}/claim`)).status).toBe(200);
  });
});

describe('parsers and strings', () => {
  it('reads ratings in digits, Arabic-Indic digits and words', () => {
    expect(['5', '٥', '۵', '4 ⭐', '3 من 5', 'خمسة', 'أربعة', 'ثلاث', 'two', 'One'].map(parseRating)).toEqual([5, 5, 5, 4, 3, 5, 4, 3, 2, 1]);
    expect(['6', '0', 'ممتاز جدا والله', '', '55'].map(parseRating)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(simplify('إلغاء')).toBe('الغاء');
  });

  it('working hours in Riyadh time', () => {
    const w = parseHours('Sun-Thu 08:00-20:00');
    const at = (iso: string) => isWithinHours(w, 'Asia/Riyadh', new Date(iso));
    expect(at('2024-06-02T07:00:00Z')).toBe(true); // Sunday 10:00 in Riyadh
    expect(at('2024-06-02T04:59:00Z')).toBe(false); // Sunday 07:59
    expect(at('2024-06-06T16:59:00Z')).toBe(true); // Thursday 19:59
    expect(at('2024-06-06T17:00:00Z')).toBe(false); // Thursday 20:00
    expect(at('2024-06-07T07:00:00Z')).toBe(false); // Friday
    expect(isWithinHours(parseHours('Thu-Sun 10:00-12:00'), 'Asia/Riyadh', new Date('2024-06-08T08:00:00Z'))).toBe(true); // Saturday, wrapping range
    expect(isWithinHours(parseHours(''), 'Asia/Riyadh', new Date())).toBe(true);
    expect(() => parseHours('weekdays 9-5')).toThrow(/HANDOFF_HOURS/);
  });

  it('estimated waits use Arabic plural forms', () => {
    const { t } = createTranslator();
    expect([1, 2, 3, 10, 11, 100].map((count) => t('ar', 'handoff:minutes', { count }))).toEqual([
      'دقيقة واحدة', 'دقيقتان', '3 دقائق', '10 دقائق', '11 دقيقة', '100 دقيقة',
    ]);
    expect(t('en', 'handoff:minutes', { count: 1 })).toBe('1 minute');
  });
});

describe('a step cut short between the record and the hub\'s sets (a process killed mid-step) is finished by the sweep', () => {
  // The record and the sets live in different slots (Cluster), so each step is several writes.
  // These states are what a kill between two of them leaves; before, two of them hid a user from
  // every agent (a record queued and in no set).
  it('a claim stopped after the record: the sweep moves it to the active set, listed once, held by the agent', async () => {
    const { user, hub } = await bot();
    await hub.heartbeat(AGENT);
    await user('c-1', 'موظف');
    await user('c-1', 'سؤال عن الجواز');
    const key = keyOf('c-1');
    await redis.hset(hub.convKey(key), 'status', 'held', 'agentId', AGENT.id, 'agentName', AGENT.name, 'claimedAt', String(Date.now()));
    expect((await hub.queue()).filter((q) => q.key === key)).toHaveLength(1);
    await hub.sweep();
    expect(await redis.zscore(hub.queueKey, key)).toBeNull();
    expect(await redis.zscore(hub.activeKey, key)).not.toBeNull();
    expect(await hub.holds(key, AGENT)).toBeDefined();
  });

  it('a hand-back stopped after the record: the idle sweep puts it back in the queue in its old place', async () => {
    const { user, hub } = await bot({ HANDOFF_IDLE_SECONDS: '120' });
    await hub.heartbeat(AGENT);
    await user('c-2', 'موظف');
    await user('c-2', 'سؤال');
    const key = keyOf('c-2');
    const enqueuedAt = (await hub.get(key))!.enqueuedAt;
    await hub.claim(key, AGENT);
    await redis.hset(hub.convKey(key), 'status', 'queued'); // released, the sets not yet told
    await hub.sweep(Date.now() + 121_000);
    expect(Number(await redis.zscore(hub.queueKey, key))).toBe(enqueuedAt);
    expect(await redis.zscore(hub.activeKey, key)).toBeNull();
    expect((await hub.queue()).find((q) => q.key === key)?.status).toBe('queued');
  });

  it('an enqueue stopped before its record: the entry is kept while the record may still come, then dropped', async () => {
    const { hub } = await bot();
    const key = keyOf('c-3');
    await redis.zadd(hub.queueKey, Date.now(), key);
    await hub.sweep(Date.now() + 30_000);
    expect(await redis.zscore(hub.queueKey, key)).not.toBeNull();
    await hub.sweep(Date.now() + 61_000);
    expect(await redis.zscore(hub.queueKey, key)).toBeNull();
  });

  it('the order itself: a queued record is in the queue, a claimed one in the active set and out of the queue, one the user left in neither', async () => {
    const { user, hub } = await bot();
    await hub.heartbeat(AGENT);
    await user('c-4', 'موظف');
    await user('c-4', 'سؤال');
    const key = keyOf('c-4');
    expect(await redis.zscore(hub.queueKey, key)).not.toBeNull();
    await hub.claim(key, AGENT);
    expect([await redis.zscore(hub.queueKey, key), await redis.zscore(hub.activeKey, key) !== null]).toEqual([null, true]);
    await user('c-5', 'موظف');
    await user('c-5', 'سؤال');
    expect(await hub.leaveQueue(keyOf('c-5'))).toBe(true);
    expect(await redis.zscore(hub.queueKey, keyOf('c-5'))).toBeNull();
    expect(await hub.get(keyOf('c-5'))).toBeUndefined();
  });
});
