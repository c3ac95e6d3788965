/**
 * Iqama expiry reminders with two real bot processes on one Redis (DB 8) and one services
 * simulator (this test's process), its clock moved through the admin route. Ahmed opts in over
 * POST /api/messages at 23:00 Riyadh time: nothing is sent during the quiet hours, and at
 * 08:00 each dependent due within 30 days gets one reminder. Then the lease holder is killed
 * (SIGKILL) while a 7-day reminder is in flight: the other process sends it again with the same
 * delivery key, so the user gets it once and nothing is lost. After "stop reminders" nothing
 * more comes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Simulator } from '../../sim';
import { startFrozenSim } from '../helpers/sim';
import { createTranslator } from '../../bot/i18n';
import { createServicesClient } from '../../adapters/services';
import { startProcess, type Child } from '../helpers/processes';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { say, texts } from '../helpers/http';
import { startDedupChannel, deliveryKeyOf, type DedupChannel } from './fixtures/channel';
import { AHMED, DAY, DUE_30, advance, advanceToRiyadhHour, sleep, until } from './support';

const DB = 8;
const OTP = '604218';
const API_KEY = 'reminders-2p-key';
const { t } = createTranslator();
const prefix = uniquePrefix('rem2p');

let sim: Simulator;
let simUrl: string;
let redis: Redis;
let channel: DedupChannel;
const children: Child[] = [];

function env(): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: `redis://127.0.0.1:6379/${DB}`,
    REDIS_KEY_PREFIX: prefix,
    CONNECTOR_SECRET: 'reminders-two-process-secret',
    SERVICES_API_URL: simUrl,
    SERVICES_API_KEY: API_KEY,
    REMINDER_POLL_MS: '150',
    REMINDER_CLAIM_MS: '1500',
  };
}

async function start(): Promise<Child> {
  const child = await startProcess('test/reminders/fixtures/server.ts', env());
  children.push(child);
  return child;
}

beforeAll(async () => {
  redis = testRedis(DB);
  channel = await startDedupChannel();
  ({ sim, url: simUrl } = await startFrozenSim(OTP, API_KEY));
}, 30_000);

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop('SIGKILL')));
  await channel?.close();
  await sim?.stop();
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

const about = (name: string) => (a: { text?: string }) => (a.text ?? '').includes(name);

describe('iqama expiry reminders across two processes', () => {
  it('each threshold once per dependent, none in quiet hours, none twice after a SIGKILL, none after stop', async () => {
    const a = await start();
    await until('A to take the lease', async () => (await redis.exists(`${prefix}rem:lease`)) === 1);
    const b = await start();
    const conv = 'reminders-2p-1';
    const user = async (url: string, text: string) => texts(await say(url, conv, text, { extra: { serviceUrl: channel.url } })).join('\n');

    // 23:00 in Riyadh: Ahmed opts in from the menu (verification first).
    await advanceToRiyadhHour(simUrl, 23);
    expect(await user(a.url, t('ar', 'reminders:menuTitle'))).toContain(t('ar', 'verify:askId'));
    await user(a.url, AHMED);
    expect(await user(a.url, OTP)).toContain(t('ar', 'reminders:on', { count: 6 }));
    // Only the consent id, the reference, language, channel and thresholds are kept: no token, no names.
    const stored = (await redis.get(`${prefix}rem:consent:${await redis.get(`${prefix}rem:conv:emulator/conversations/${conv}`)}`)) ?? '';
    expect(JSON.parse(stored)).toMatchObject({ lang: 'ar', channel: 'emulator', thresholds: [7, 30] });
    expect(stored).not.toMatch(/token|منى|Mona|2345678904/);

    // Quiet hours: due, but held (ten polls of each process).
    await sleep(1500);
    expect(channel.delivered(conv)).toHaveLength(0);

    // 08:00: one reminder for each dependent due within 30 days, in Arabic, with the renewal button.
    await advanceToRiyadhHour(simUrl, 8);
    await channel.waitFor('four reminders', () => channel.delivered(conv).length >= 4);
    await sleep(1500);
    const morning = channel.delivered(conv);
    expect(morning).toHaveLength(4);
    for (const name of DUE_30.ar) expect(morning.filter(about(name)), name).toHaveLength(1);
    expect(morning[0]!.suggestedActions?.actions.map((x) => x.title)).toEqual([t('ar', 'menu.renew'), t('ar', 'reminders:stopButton')]);
    expect(channel.arrivals.filter((x) => x.conversationId === conv)).toHaveLength(4);

    // Six days on, Omar's 7-day reminder is due; A (the lease holder) dies while sending it.
    channel.delayMs = 60_000;
    await advance(simUrl, 6 * DAY);
    await channel.waitFor("Omar's 7-day reminder to arrive", () => channel.arrivals.filter((x) => x.conversationId === conv).length === 5);
    const inFlight = channel.arrivals.at(-1)!;
    expect(inFlight.text).toContain('عمر');
    await a.stop('SIGKILL');
    channel.delayMs = 0;
    // B takes the lapsed lease, finds the lapsed claim and sends it again with the same delivery key: nothing lost, shown once.
    await channel.waitFor('the resend from B', () => channel.arrivals.filter((x) => deliveryKeyOf(x) === deliveryKeyOf(inFlight)).length === 2, 30_000);
    await sleep(1500);
    const afterKill = channel.delivered(conv);
    expect(afterKill).toHaveLength(5);
    expect(afterKill.filter(about('عمر'))).toHaveLength(2); // the 30-day one and the 7-day one
    expect(channel.arrivals.filter((x) => x.conversationId === conv)).toHaveLength(6);

    // "Stop reminders" on the other process: revoked at the services API too; nothing more comes.
    expect(await user(b.url, 'أوقف التذكير')).toContain(t('ar', 'reminders:stopped'));
    expect(await redis.exists(`${prefix}rem:conv:emulator/conversations/${conv}`)).toBe(0);
    await advance(simUrl, 8 * DAY); // Mona, Layla and Fatma would now be within 7 days
    await sleep(1500);
    expect(channel.arrivals.filter((x) => x.conversationId === conv)).toHaveLength(6);
    await b.stop('SIGTERM');
  }, 240_000);

  it('a revoked consent reads as not found at the services API', async () => {
    const api = createServicesClient({ baseUrl: simUrl, apiKey: API_KEY, timeoutMs: 3000 });
    const challenge = await api.startVerification(AHMED);
    const { accessToken } = await api.verifyCode(challenge.challengeId, OTP);
    const { consentId } = await api.createReminderConsent(accessToken, `consent-${Date.now()}`);
    const page = await api.getReminderExpiries(consentId);
    expect(page.expiries.map((e) => e.firstName.en)).toContain('Mona');
    expect(Object.keys(page.expiries[0]!).sort()).toEqual(['dependentId', 'expiryDate', 'firstName', 'relationship']);
    await api.revokeReminderConsent(consentId);
    await expect(api.getReminderExpiries(consentId)).rejects.toMatchObject({ kind: 'not_found' });
  });
});
