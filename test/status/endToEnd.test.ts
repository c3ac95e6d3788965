/**
 * The status lookup with real Redis (DB 9, a unique prefix, cleaned up): the per-user rate
 * limit reached in a conversation, and an end-to-end run over POST /api/messages (restify,
 * CloudAdapter, middleware, Redis state) with the trained recognizer and the simulator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Simulator } from '../../sim';
import { createServicesClient } from '../../adapters/services';
import { createStatusLookupDialogFactory } from '../../dialogs/statusLookupDialog';
import type { App } from '../../bot/app';
import { startApp } from '../helpers/app';
import { buttons, say, texts } from '../helpers/http';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { AHMED, MOHAMMED, OTP, STATUS_DB, harness, play, sharedRecognizer, startStatusSim, t } from './support';
import { presentText } from '../../dialogs/format/outgoing';

let sim: Simulator;
let url: string;
let redis: Redis;
const prefix = uniquePrefix('status');

beforeAll(async () => {
  ({ sim, url } = await startStatusSim());
  redis = testRedis(STATUS_DB);
  sharedRecognizer();
}, 30_000);
afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await redis.quit();
  await sim?.stop();
});
beforeEach(() => sim.reset());

describe('rate limit on real Redis', () => {
  it('the third lookup in the window is refused with the wait in minutes (Arabic plurals), without calling the services', async () => {
    const userId = `rl-user-${Date.now()}`;
    const h = harness({ sim, url, redis, redisPrefix: prefix, limit: { points: 2, durationSeconds: 600 }, userId });
    await play(h, [
      ['وش صار على طلبي 400000101', t('ar', 'verify:askId')],
      [AHMED, t('ar', 'verify:askCode', { mobile: '05******12' })],
      [OTP, 'الحالة: قيدت'],
      ['700000101', 'طلب تواصل رقم 700000101'],
    ]);
    const before = sim.http.requests;
    const replies = await h.say('400000104');
    expect(texts(replies)).toContain('أُجريت استعلامات كثيرة خلال وقت قصير. حفاظًا على بياناتك، يمكنك المحاولة مرة أخرى بعد 10 دقائق.');
    expect(buttons(replies)).toEqual(expect.arrayContaining(['التحدث مع موظف', 'القائمة الرئيسية']));
    expect(sim.http.requests).toBe(before);
    // One counter per user, under the bot's prefix, keyed by a hash (no user id in clear).
    const keys = await redis.keys(`${prefix}rl:statusLookup:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain(userId);
    expect(Number(await redis.get(keys[0]!))).toBe(3);
    // Another user is not limited by this one.
    const other = harness({ sim, url, redis, redisPrefix: prefix, limit: { points: 2, durationSeconds: 600 } });
    await play(other, [['status 700000103', t('en', 'verify:askId')], [MOHAMMED, t('en', 'verify:askCode', { mobile: '05******47' })], [OTP, 'Status: Rejected']]);
  });

  it('in English the wait reads "in N minutes"; an unknown number counts too, so numbers cannot be guessed in bulk', async () => {
    const h = harness({ sim, url, locale: 'en-US', redis, redisPrefix: prefix, limit: { points: 1, durationSeconds: 120 } });
    await play(h, [
      ['status 400000998', t('en', 'verify:askId')],
      [AHMED, t('en', 'verify:askCode', { mobile: '05******12' })],
      [OTP, t('en', 'status:number.notFound', { number: '400000998' })],
      ['400000997', 'please try again in 2 minutes.'],
    ]);
  });
});

describe('end to end over POST /api/messages with Redis state', () => {
  let app: App & { baseUrl: string };
  const appPrefix = `${prefix}app:`;
  beforeAll(async () => {
    const services = createServicesClient({ baseUrl: url, apiKey: 'status-test-key', timeoutMs: 3000 });
    app = await startApp(
      { REDIS_URL: `redis://127.0.0.1:6379/${STATUS_DB}`, REDIS_KEY_PREFIX: appPrefix },
      {
        recognizer: sharedRecognizer(),
        channels: [() => ({ services })],
        features: [createStatusLookupDialogFactory({ now: () => new Date(sim.clock.now()) })],
      },
    );
  }, 30_000);
  afterAll(async () => {
    await app?.close();
  });

  it('Arabic: a ticket looked up across turns, state kept in Redis, then my iqama without verifying again', async () => {
    const conversation = `status-e2e-${Date.now()}`;
    const steps: Array<[string, string | RegExp]> = [
      ['وش صار على التذكرة ٧٠٠ ٠٠٠ ١٠١؟', t('ar', 'verify:askId')],
      [AHMED, t('ar', 'verify:askCode', { mobile: '05******12' })],
      [OTP, /طلب تواصل رقم 700000101[\s\S]*الحالة: قيد الدراسة[\s\S]*سجلّ الطلب:/],
      ['متى تنتهي اقامتي', /إقامتك \(أحمد حسن عبدالرحمن\) سارية حتى .*، بقي 150 يومًا/],
    ];
    for (const [userSays, expected] of steps) {
      const replies = await say(app.baseUrl, conversation, userSays);
      expect(texts(replies).join('\n'), `after "${userSays}"`).toMatch(typeof expected === 'string' ? presentText(expected) : expected);
    }
    // The conversation's state (the verified session) lives in Redis under the app's prefix.
    const stateKeys = await redis.keys(`${appPrefix}*${conversation}*`);
    expect(stateKeys.length).toBeGreaterThan(0);
    // The code was hidden and the ID masked in the stored transcript.
    const stored = JSON.stringify(await app.transcripts.read(`emulator/conversations/${conversation}`));
    expect(stored).toContain('700000101');
    expect(stored).not.toContain(OTP);
    expect(stored).not.toContain(AHMED);
  });
});
