/**
 * Tawasul notifications with two real bot processes on one Redis (DB 8) and one services
 * simulator (this test's process): a ticket opened over POST /api/messages on process A, the
 * simulator's clock moved through its admin route, and exactly one notification reaching the
 * user's channel, in Arabic, for each status change. Then the process holding the lease is
 * killed (SIGKILL: no clean release) and the next change still arrives, once, from the other;
 * a restarted process sends nothing again. Last, with a slow channel, polls that overlap a
 * slow send must still not send twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Simulator } from '../../sim';
import { startFrozenSim } from '../helpers/sim';
import { createTranslator } from '../../bot/i18n';
import { startProcess, type Child } from '../helpers/processes';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { say, texts } from '../helpers/http';
import { startFakeChannel, type FakeChannel } from './fixtures/channel';

const DB = 8;
const OTP = '370512';
const API_KEY = 'tawasul-2p-key';
const AHMED = '2345678904';
const HOUR = 3600_000;
const { t } = createTranslator();
const prefix = uniquePrefix('tawasul2p');

let sim: Simulator;
let simUrl: string;
let redis: Redis;
let channel: FakeChannel;
const children: Child[] = [];

function env(): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: `redis://127.0.0.1:6379/${DB}`,
    REDIS_KEY_PREFIX: prefix,
    CONNECTOR_SECRET: 'tawasul-two-process-secret',
    SERVICES_API_URL: simUrl,
    SERVICES_API_KEY: API_KEY,
    NOTIFY_POLL_MS: '150',
  };
}

async function start(): Promise<Child> {
  const child = await startProcess('test/tawasul/fixtures/server.ts', env());
  children.push(child);
  return child;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function advance(ms: number): Promise<void> {
  const res = await fetch(`${simUrl}/_sim/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms }) });
  expect(res.status).toBe(200);
}

/** Opens a general-question ticket on a process, as the user would, and returns its number. */
async function openTicket(baseUrl: string, conversationId: string): Promise<string> {
  const user = async (text: string) => texts(await say(baseUrl, conversationId, text, { extra: { serviceUrl: channel.url } })).join('\n');
  expect(await user('طلب تواصل')).toContain(t('ar', 'verify:askId'));
  await user(AHMED);
  await user(OTP);
  await user('الاستفسارات العامة');
  await user('الإقامة');
  // Each test files its own question: the same content twice would be one request (content-derived idempotency).
  await user(`هل يلزم تأمين طبي جديد لتجديد إقامة زوجتي؟ (${conversationId})`);
  await user(t('ar', 'tawasul:next.skip'));
  const sent = await user(t('ar', 'tawasul:next.submit'));
  const number = /7\d{8}/.exec(sent)?.[0];
  if (!number) throw new Error(`no ticket number in: ${sent}`);
  return number;
}

const about = (number: string, status: string) => (a: { text?: string }) => (a.text ?? '').includes(number) && (a.text ?? '').includes(status);

beforeAll(async () => {
  redis = testRedis(DB);
  channel = await startFakeChannel();
  ({ sim, url: simUrl } = await startFrozenSim(OTP, API_KEY));
}, 30_000);

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop('SIGKILL')));
  await channel?.close();
  await sim?.stop();
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

describe('Tawasul notifications across two processes', () => {
  it('exactly one message per status change; none lost when the lease holder is killed; none repeated after a restart', async () => {
    // A starts first and takes the lease; B starts once A holds it.
    const a = await start();
    await until('A to take the lease', async () => (await redis.exists(`${prefix}notify:lease`)) === 1);
    const b = await start();

    const conv = 'tawasul-2p-1';
    const number = await openTicket(a.url, conv);
    // The conversation is kept in Redis, for the ticket's life.
    const refKey = `${prefix}notify:ref:${number}`;
    expect(await redis.ttl(refKey)).toBeGreaterThan(80 * 24 * 3600);
    expect(JSON.parse((await redis.get(refKey)) ?? '{}')).toMatchObject({ lang: 'ar', reference: { conversation: { id: conv }, serviceUrl: channel.url } });

    // One hour later the ticket is under review: one message, in Arabic, from whichever polls.
    await advance(HOUR + 1000);
    const first = await channel.waitFor(conv, about(number, 'قيد الدراسة'));
    expect(first.text).toMatch(/[\u0600-\u06FF]/);
    await sleep(1500); // ten polls of each process
    expect(channel.count(conv, about(number, 'قيد الدراسة'))).toBe(1);

    // A dies without releasing its lease; B takes over when it expires, and the decision arrives once.
    await a.stop('SIGKILL');
    await advance(24 * HOUR);
    await channel.waitFor(conv, about(number, 'تمت المعالجة'), 25_000);
    await sleep(1500);
    expect(channel.count(conv, about(number, 'تمت المعالجة'))).toBe(1);
    expect(channel.count(conv, about(number, 'قيد الدراسة'))).toBe(1);

    // A comes back (a restart): nothing is sent again; nothing else was sent to the user at all.
    await start();
    await sleep(2000);
    expect(channel.count(conv, () => true)).toBe(2);
    await b.stop('SIGTERM');
  }, 90_000);

  it('with a slow channel, overlapping polls still send each change once', async () => {
    const [c] = await Promise.all([start()]);
    const conv = 'tawasul-2p-slow';
    const number = await openTicket(c.url, conv);
    channel.delayMs = 700; // each send outlasts several polls
    try {
      await advance(HOUR + 1000);
      await channel.waitFor(conv, about(number, 'قيد الدراسة'));
      await sleep(2500);
      expect(channel.count(conv, about(number, 'قيد الدراسة'))).toBe(1);
    } finally {
      channel.delayMs = 0;
    }
  }, 60_000);
});
