/**
 * The family tasks end to end over POST /api/messages: restify, CloudAdapter, middleware, the
 * trained recognizer and conversation state in real Redis (a unique prefix, cleaned up),
 * against the simulator over HTTP. Every
 * turn is a separate request, so each task's state (collected fields, session) round-trips
 * through Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Simulator } from '../../sim';
import { createTravelPermitDialogFactory } from '../../dialogs/family/travelPermitDialog';
import { createPassportUpdateDialogFactory } from '../../dialogs/family/passportUpdateDialog';
import { faqDialogFactory } from '../../dialogs/faqDialog';
import type { App } from '../../bot/app';
import { startApp } from '../helpers/app';
import { buttons, say, texts } from '../helpers/http';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { IQAMA_DB } from '../iqama/support';
import { ABDULLAH, AHMED, OTP, servicesFor, startFamilySim, t } from './support';
import { sharedRecognizer } from '../helpers/transcript';
import { presentText } from '../../dialogs/format/outgoing';

let sim: Simulator;
let url: string;
let redis: Redis;
let app: App & { baseUrl: string };
const prefix = uniquePrefix('family');

beforeAll(async () => {
  ({ sim, url } = await startFamilySim());
  redis = testRedis(IQAMA_DB);
  const services = servicesFor(url);
  const now = () => new Date(sim.clock.now());
  app = await startApp(
    { REDIS_URL: `redis://127.0.0.1:6379/${IQAMA_DB}`, REDIS_KEY_PREFIX: prefix },
    {
      recognizer: sharedRecognizer(),
      channels: [() => ({ services })],
      features: [createTravelPermitDialogFactory({ now }), createPassportUpdateDialogFactory({ now }), faqDialogFactory],
    },
  );
}, 30_000);
afterAll(async () => {
  await app?.close();
  await deleteByPrefix(redis, prefix);
  await redis.quit();
  await sim?.stop();
});

type Turn = [string, RegExp | string, string[]?];

async function converse(conversation: string, steps: Turn[], locale?: string): Promise<void> {
  for (const [userSays, expected, expectedButtons] of steps) {
    const replies = await say(app.baseUrl, conversation, userSays, locale ? { locale } : undefined);
    const all = texts(replies).join('\n');
    // As people see it: masked values and dates arrive inside direction isolates (presentation middleware).
    if (typeof expected === 'string') expect(all, `after "${userSays}"`).toContain(presentText(expected));
    else expect(all, `after "${userSays}"`).toMatch(expected);
    for (const b of expectedButtons ?? []) expect(buttons(replies), `buttons after "${userSays}"`).toContain(b);
  }
}

async function stored(conversation: string): Promise<string> {
  const keys = (await redis.keys(`${prefix}*${conversation}*`)).filter((k) => k.startsWith(`${prefix}st:`));
  return (await Promise.all(keys.map(async (k) => (await redis.hget(k, 'd')) ?? ''))).join('\n');
}

describe('family tasks over POST /api/messages with Redis state', () => {
  it('Arabic: Saad\'s permit issued and Reem\'s cancelled in one conversation; one permit, one cancellation; the ID and code not stored', async () => {
    const conversation = `family-e2e-permit-${Date.now()}`;
    await converse(conversation, [
      ['السلام عليكم، ابي اصدر تصريح سفر لولدي', t('ar', 'verify:askId')],
      [ABDULLAH, t('ar', 'verify:askCode', { mobile: '05******81' })],
      [OTP, '1. سعد عبدالله القحطاني (ابن) — هوية ******2559 — لا يوجد تصريح سفر', ['سعد عبدالله القحطاني (ابن)']],
      ['سعد عبدالله القحطاني (ابن)', t('ar', 'family:permit.duration', { name: 'سعد عبدالله القحطاني' }), ['6 أشهر']],
      ['6 أشهر', t('ar', 'family:permit.review.ask'), ['تأكيد']],
    ]);
    // Mid-flow, the state (member, duration) lives in Redis, not the ID number.
    const mid = await stored(conversation);
    expect(mid).toContain('travelPermit');
    expect(mid).not.toContain(ABDULLAH);
    expect(mid).not.toContain('1184562559');
    await converse(conversation, [
      ['تأكيد', /تم إصدار تصريح سفر سعد عبدالله القحطاني برقم 4000001\d\d/],
      ['تصريح لفرد آخر', 'ريم عبدالله القحطاني (ابنة) — هوية ******5559 — تصريح سفر ساري برقم 400000103'],
      ['ريم', t('ar', 'family:permit.cancelAsk'), ['نعم، ألغِ التصريح']],
      ['نعم، ألغِ التصريح', t('ar', 'family:permit.cancelled', { name: 'ريم عبدالله القحطاني', number: '400000103' })],
    ]);
    expect(sim.created).toMatchObject({ challenges: 1, travelPermits: 1, permitCancellations: 1 });
    const transcript = JSON.stringify(await app.transcripts.read(`emulator/conversations/${conversation}`));
    expect(transcript).not.toContain(OTP);
    expect(transcript).not.toContain(ABDULLAH);
  });

  it('English: Ahmed\'s passport information updated, the request number and "recorded" explained', async () => {
    const conversation = `family-e2e-passport-${Date.now()}`;
    await converse(conversation, [
      ['update my passport info', t('en', 'verify:askId')],
      [AHMED, t('en', 'verify:askCode', { mobile: '05******12' })],
      [OTP, t('en', 'family:passport.ask.passportNumber')],
      ['A30999888', t('en', 'family:passport.ask.issueDate')],
      ['15/03/2026', t('en', 'family:passport.ask.expiryDate')],
      ['14/03/2036', t('en', 'family:passport.ask.issuingCountry'), ['Egypt']],
      ['Egypt', t('en', 'family:passport.review.ask'), ['Confirm']],
      ['Confirm', /Your passport information has been updated, request number 4000001\d\d \(status: Recorded\)/],
    ], 'en-US');
    expect(sim.created.passportUpdates).toBe(1);
  });
});
