/**
 * Tawasul notifications with two bot instances on one Redis and one simulator: a watched
 * ticket changes status when the simulator's clock moves, both instances poll at once, and
 * exactly one message reaches the user's conversation, in the user's language. A send that
 * fails is retried on the next poll (none lost), and a restart does not send again.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activity } from 'botbuilder';
import type { Simulator } from '../../sim';
import { startFrozenSim } from '../helpers/sim';
import { createServicesClient } from '../../adapters/services';
import { ticketNotifier, type TicketNotifierHandle } from '../../adapters/notify';
import { startApp } from '../helpers/app';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { createTranslator } from '../../bot/i18n';
import type { App } from '../../bot/app';

const OTP = '482913';
const DB = 8;
const HOUR = 3600_000;
const { t } = createTranslator();
const prefix = uniquePrefix('notify');
let sim: Simulator;
let simUrl: string;
let connector: Server;
let connectorUrl: string;
const delivered: Array<{ conversation: string; activity: Partial<Activity> }> = [];
let failNext = 0;
const apps: Array<App & { baseUrl: string }> = [];
const handles: TicketNotifierHandle[] = [];

beforeAll(async () => {
  ({ sim, url: simUrl } = await startFrozenSim(OTP, 'k'));
  // A Bot Framework connector (the user's channel) that records what the bot sends.
  connector = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const m = /\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
      if (failNext > 0) {
        failNext--;
        res.statusCode = 503;
        res.end();
        return;
      }
      if (m) delivered.push({ conversation: decodeURIComponent(m[1]!), activity: JSON.parse(body) as Partial<Activity> });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: `a${delivered.length}` }));
    });
  });
  await new Promise<void>((r) => connector.listen(0, '127.0.0.1', r));
  connectorUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`;
  for (let i = 0; i < 2; i++) {
    const services = createServicesClient({ baseUrl: simUrl, apiKey: 'k', timeoutMs: 5000 });
    apps.push(await startApp(
      { REDIS_URL: `redis://127.0.0.1:6379/${DB}`, REDIS_KEY_PREFIX: prefix },
      { channels: [() => ({ services }), ticketNotifier({ services, autoStart: false, onReady: (h) => handles.push(h) })] },
    ));
  }
}, 30_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  await sim?.stop();
  connector?.closeAllConnections();
  await new Promise((r) => connector?.close(r));
  const redis = testRedis(DB);
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

async function openTicket(): Promise<string> {
  const api = createServicesClient({ baseUrl: simUrl, apiKey: 'k', timeoutMs: 5000 });
  const challenge = await api.startVerification('2345678904');
  const { accessToken } = await api.verifyCode(challenge.challengeId, OTP);
  const ticket = await api.createTicket(accessToken, {
    sectionId: 'general_inquiries',
    transactionTypeId: 'general_question',
    fields: { topic: 'visas' },
    description: 'هل يمكن تمديد تأشيرة الزيارة لوالدتي؟',
    attachmentIds: [],
  }, `key-${Date.now()}`);
  return ticket.number;
}

const reference = (conversation: string) => ({
  channelId: 'emulator',
  serviceUrl: connectorUrl,
  conversation: { id: conversation, isGroup: false, conversationType: 'personal', name: '' },
  user: { id: 'user-1', name: '' },
  bot: { id: 'bot', name: 'Musaed' },
});

describe('Tawasul notifications', () => {
  it('two instances polling at once send exactly one message per status change, in the user language', async () => {
    const ticket = await openTicket();
    await handles[0]!.watch(ticket, reference('conv-ar'), 'ar');
    // Catch the feed up to now (ticket created) before moving the clock.
    await Promise.all(handles.map((h) => h.poll()));
    delivered.length = 0;

    sim.advance(2 * HOUR); // submitted → under review
    const sent = await Promise.all(handles.map((h) => h.poll()));
    // One status change (under review after an hour): whoever held the lease sent it, the other nothing.
    expect([...sent].sort()).toEqual([0, 1]);
    const mine = delivered.filter((d) => d.conversation === 'conv-ar');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.activity.text).toContain(`رقم ${ticket}`);
    expect(mine[0]!.activity.text).toMatch(/الحالة الآن/);

    // Polling again (either instance) sends nothing new.
    const again = await Promise.all([handles[1]!.poll(), handles[0]!.poll()]);
    expect(again).toEqual([0, 0]);
  });

  it('a failed send is retried on the next poll and delivered once', async () => {
    const ticket = await openTicket();
    await handles[0]!.watch(ticket, reference('conv-en'), 'en');
    await handles[0]!.poll();
    delivered.length = 0;
    sim.advance(2 * HOUR);
    failNext = 1000; // the channel is down for this poll (the connector client retries a few times)
    await handles[0]!.poll().catch(() => 0);
    expect(delivered.filter((d) => d.conversation === 'conv-en')).toEqual([]);
    failNext = 0;
    // Either instance picks it up: it was not lost.
    const total = (await handles[1]!.poll()) + (await handles[0]!.poll());
    const mine = delivered.filter((d) => d.conversation === 'conv-en');
    expect(total).toBe(1);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.activity.text).toContain(`Update on your Tawasul request ${ticket}`);
    expect(t('en', 'tawasul:notify.changed', { number: 'x', status: 'y', reason: '' })).toContain('now');
  });
});
