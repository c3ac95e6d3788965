/**
 * The iqama renewal end to end over POST /api/messages: restify, CloudAdapter, middleware,
 * the trained recognizer and conversation state in real Redis (DB 7, a unique prefix,
 * cleaned up), against the simulator over HTTP. Every turn is a separate request, so the
 * dialog's state (state, idempotency keys, session) must round-trip through Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Simulator } from '../../sim';
import { createIqamaRenewalDialogFactory } from '../../dialogs/iqamaRenewalDialog';
import type { App } from '../../bot/app';
import { startApp } from '../helpers/app';
import { buttons, say, texts } from '../helpers/http';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { AHMED, IQAMA_DB, OTP, servicesFor, sharedRecognizer, startIqamaSim, t } from './support';
import { presentText } from '../../dialogs/format/outgoing';

let sim: Simulator;
let url: string;
let redis: Redis;
let app: App & { baseUrl: string };
const prefix = uniquePrefix('iqama');

beforeAll(async () => {
  ({ sim, url } = await startIqamaSim());
  redis = testRedis(IQAMA_DB);
  const services = servicesFor(url);
  app = await startApp(
    { REDIS_URL: `redis://127.0.0.1:6379/${IQAMA_DB}`, REDIS_KEY_PREFIX: prefix },
    {
      recognizer: sharedRecognizer(),
      channels: [() => ({ services })],
      features: [createIqamaRenewalDialogFactory({ now: () => new Date(sim.clock.now()) })],
    },
  );
}, 30_000);
afterAll(async () => {
  await app?.close();
  await deleteByPrefix(redis, prefix);
  await redis.quit();
  await sim?.stop();
});

describe('iqama renewal over POST /api/messages with Redis state', () => {
  it('Arabic: from "my wife" to the request number across eight requests; one bill, one request; the ID and code not stored in clear', async () => {
    const conversation = `iqama-e2e-${Date.now()}`;
    const steps: Array<[string, RegExp | string, string[]?]> = [
      ['السلام عليكم، أبي أجدد إقامة زوجتي', t('ar', 'verify:askId')],
      [AHMED, t('ar', 'verify:askCode', { mobile: '05******12' })],
      [OTP, t('ar', 'iqama:duration', { name: 'منى إبراهيم السيد' }), ['12 شهراً — 700 ريال']],
      ['12 شهراً — 700 ريال', t('ar', 'iqama:review.ask'), ['تأكيد', 'تغيير المدة']],
      ['تغيير المدة', t('ar', 'iqama:duration', { name: 'منى إبراهيم السيد' })],
      ['٦ أشهر', t('ar', 'iqama:review.ask')],
      ['تأكيد', /• رقم سداد: 93000000101[\s\S]*• المبلغ: 400 ريال/, ['سدّدت الفاتورة']],
      ['سدّدت الفاتورة', /تم إرسال طلب تجديد إقامة منى إبراهيم السيد برقم 4000001\d\d/],
    ];
    for (const [i, [userSays, expected, expectedButtons]] of steps.entries()) {
      if (i === 7) await fetch(`${url}/_sim/bills/3000000101/pay`, { method: 'POST' });
      const replies = await say(app.baseUrl, conversation, userSays);
      const all = texts(replies).join('\n');
      if (typeof expected === 'string') expect(all, `after "${userSays}"`).toContain(presentText(expected));
      else expect(all, `after "${userSays}"`).toMatch(expected);
      for (const b of expectedButtons ?? []) expect(buttons(replies), `buttons after "${userSays}"`).toContain(b);
    }
    expect(sim.created).toMatchObject({ challenges: 1, bills: 1, renewalRequests: 1 });
    // The conversation's state lived in Redis (DB 7) under the app's prefix.
    const keys = await redis.keys(`${prefix}*${conversation}*`);
    expect(keys.length).toBeGreaterThan(0);
    // Each item is a hash {e: eTag, d: JSON}: the renewal (still asking "another member?") is in it.
    const stateKeys = keys.filter((k) => k.startsWith(`${prefix}st:`));
    const stored = (await Promise.all(stateKeys.map(async (k) => (await redis.hget(k, 'd')) ?? ''))).join('\n');
    expect(stored).toContain('iqamaRenewal');
    expect(stored).not.toContain(AHMED);
    expect(stored).not.toContain('2451187625');
    // The transcript hides the code and masks the ID number.
    const transcript = JSON.stringify(await app.transcripts.read(`emulator/conversations/${conversation}`));
    expect(transcript).toContain('93000000101');
    expect(transcript).not.toContain(OTP);
    expect(transcript).not.toContain(AHMED);
  });
});
