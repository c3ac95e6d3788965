/**
 * Iqama expiry reminders in conversation, Arabic and English, over POST /api/messages on the
 * real app with real Redis (DB 8) and the simulator: the offer after a verified task ends (once,
 * not after a command), the opt-in from the menu (verification first), "stop reminders" and
 * its dialect variants from anywhere (inside another task too), and the reminder's button
 * starting the iqama renewal. The scheduler is polled by the test (autoStart off).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Activity } from 'botbuilder';
import type { Simulator } from '../../sim';
import { startFrozenSim } from '../helpers/sim';
import { createTranslator } from '../../bot/i18n';
import { createServicesClient } from '../../adapters/services';
import { daysBetween, reminderScheduler, type ReminderSchedulerHandle } from '../../adapters/reminders';
import { reminderComposer } from '../../dialogs/reminders/message';
import { iqamaRenewalDialogFactory } from '../../dialogs/iqamaRenewalDialog';
import { deleteDataDialogFactory } from '../../dialogs/deleteDataDialog';
import { statusLookupDialogFactory } from '../../dialogs/statusLookupDialog';
import { remindersDialogFactory, stopRemindersDialogFactory } from '../../dialogs/remindersDialog';
import { startApp } from '../helpers/app';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { say } from '../helpers/http';
import type { App } from '../../bot/app';
import { formatBothCalendars } from '../../dialogs/format/dates';
import { startDedupChannel, type DedupChannel } from './fixtures/channel';
import { startFaultProxy } from '../services/faultProxy';
import { AHMED, DUE_30, advanceToRiyadhHour } from './support';

const DB = 8;
const OTP = '915304';
const { t } = createTranslator();
const prefix = uniquePrefix('remconv');
const BILAL = '2475512550';
const ABDULLAH = '1104837263';
let sim: Simulator;
let app: App & { baseUrl: string };
let scheduler: ReminderSchedulerHandle;
let channel: DedupChannel;
let n = 0;

beforeAll(async () => {
  let url: string;
  ({ sim, url } = await startFrozenSim(OTP, 'k'));
  channel = await startDedupChannel();
  const services = createServicesClient({ baseUrl: url, apiKey: 'k', timeoutMs: 5000 });
  app = await startApp(
    { REDIS_URL: `redis://127.0.0.1:6379/${DB}`, REDIS_KEY_PREFIX: prefix },
    {
      channels: [() => ({ services }), reminderScheduler({ services, composer: reminderComposer, autoStart: false, onReady: (h) => (scheduler = h) })],
      features: [statusLookupDialogFactory, iqamaRenewalDialogFactory, remindersDialogFactory, stopRemindersDialogFactory, deleteDataDialogFactory],
    },
  );
}, 30_000);

beforeEach(async () => {
  sim.reset();
  // Daytime in Riyadh, so a due reminder goes out at once.
  await advanceToRiyadhHour(sim, 10);
});

afterAll(async () => {
  await app?.close();
  await sim?.stop();
  await channel?.close();
  const redis = testRedis(DB);
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

type Lang = 'ar' | 'en';
/** [user says, the replies must contain (every fragment), buttons they must offer] */
type Step = [string, string | string[], string[]?];

function conversation(lang: Lang) {
  const id = `rem-conv-${++n}-${lang}`;
  const all: Partial<Activity>[][] = [];
  return {
    id,
    async play(steps: Step[]): Promise<Partial<Activity>[][]> {
      for (const [i, [text, expected, buttons]] of steps.entries()) {
        const replies = await say(app.baseUrl, id, text, { locale: lang === 'ar' ? 'ar-SA' : 'en-US', extra: { serviceUrl: channel.url } });
        all.push(replies);
        const joined = replies.map((r) => r.text ?? '').join('\n');
        for (const e of Array.isArray(expected) ? expected : [expected]) expect(joined, `step ${i} after "${text}"`).toContain(e);
        const titles = replies.flatMap((r) => (r.suggestedActions?.actions ?? []).map((a) => String(a.title)));
        for (const b of buttons ?? []) expect(titles, `buttons at step ${i} after "${text}"`).toContain(b);
      }
      return all;
    },
  };
}

const tr = (lang: Lang) => (key: string, args?: Record<string, unknown>) => t(lang, key, args);

describe('reminders when the services API fails', () => {
  it('the opt-in is answered politely with a retry, and the retry registers the same consent (its Idempotency-Key)', async () => {
    const proxy = await startFaultProxy(sim.url!);
    const services = createServicesClient({ baseUrl: proxy.url, apiKey: 'k', timeoutMs: 3000, retry: { retries: 0 } });
    const faulty = await startApp(
      { REDIS_URL: `redis://127.0.0.1:6379/${DB}`, REDIS_KEY_PREFIX: prefix },
      { channels: [() => ({ services }), reminderScheduler({ services, composer: reminderComposer, autoStart: false })], features: [remindersDialogFactory, stopRemindersDialogFactory] },
    );
    try {
      const id = `rem-fault-${++n}`;
      const user = async (text: string) => {
        const replies = await say(faulty.baseUrl, id, text, { extra: { serviceUrl: channel.url } });
        return { text: replies.map((r) => r.text ?? '').join('\n'), buttons: replies.flatMap((r) => (r.suggestedActions?.actions ?? []).map((a) => String(a.title))) };
      };
      await user(t('ar', 'reminders:menuTitle'));
      await user(AHMED);
      // The consent is registered, but its answer never arrives.
      proxy.plan('pass', 'forwardThenReset');
      const failed = await user(OTP);
      expect(failed.text).toContain(t('ar', 'reminders:failed', { reason: t('ar', 'services:error.unavailable') }));
      expect(failed.buttons).toContain(t('ar', 'reminders:retry'));
      const replaysBefore = sim.http.idempotentReplays;
      expect((await user(t('ar', 'reminders:retry'))).text).toContain(t('ar', 'reminders:on', { count: 6 }));
      expect(sim.http.idempotentReplays).toBe(replaysBefore + 1);
    } finally {
      await faulty.close();
      await proxy.stop();
    }
  });
});

describe.each(['ar', 'en'] as const)('reminders in conversation (%s)', (lang) => {
  const k = tr(lang);

  it('opt-in from the menu: verification, then on; asking again says it is on; stop ends it, confirmed', async () => {
    const c = conversation(lang);
    await c.play([
      [k('reminders:menuTitle'), k('verify:askId')],
      [AHMED, k('verify:askCode', { mobile: '05******12' }).slice(0, 12)],
      [OTP, [k('verify:done', { name: lang === 'ar' ? 'أحمد حسن عبدالرحمن' : 'Ahmed Hassan Abdelrahman' }), k('reminders:on', { count: 6 })]],
      [k('reminders:menuTitle'), k('reminders:already')],
      [lang === 'ar' ? 'أوقف التذكير' : 'stop reminders', k('reminders:stopped')],
      [lang === 'ar' ? 'وقف التذكيرات' : 'stop reminding me', k('reminders:notOn')],
    ]);
  });

  it('the reminder names the dependent with the date in both calendars, and its button starts the renewal', async () => {
    const c = conversation(lang);
    await c.play([
      [k('reminders:menuTitle'), k('verify:askId')],
      [AHMED, ''],
      [OTP, k('reminders:on', { count: 6 })],
    ]);
    expect(await scheduler.poll()).toBe(4);
    const got = channel.delivered(c.id);
    expect(got).toHaveLength(4);
    for (const name of DUE_30[lang]) expect(got.filter((a) => (a.text ?? '').includes(name)), name).toHaveLength(1);
    const mona = got.find((a) => (a.text ?? '').includes(DUE_30[lang][0]))!;
    const page = await createServicesClient({ baseUrl: sim.url!, apiKey: 'k' }).getReminderExpiries(await consentOf(c.id));
    const expiry = page.expiries.find((e) => e.firstName.en === 'Mona')!;
    expect(mona.text).toContain(formatBothCalendars(expiry.expiryDate, lang));
    expect(mona.text).toContain(k('reminders:when', { count: daysBetween(page.today, expiry.expiryDate) }));
    expect(mona.locale).toBe(lang === 'ar' ? 'ar-SA' : 'en-US');
    // A second pass sends nothing again.
    expect(await scheduler.poll()).toBe(0);
    // The tap: the button's title starts the iqama renewal (the session is still live: straight to the family list).
    const tap = String(mona.suggestedActions!.actions[0]!.title);
    expect(tap).toBe(k('menu.renew'));
    await c.play([[tap, k('iqama:chooseIntro')]]);
    // Its other button stops them.
    await c.play([[String(mona.suggestedActions!.actions[1]!.title), k('reminders:stopped')]]);
  });

  it('asked for in the user\'s own words (Gulf dialect / English)', async () => {
    const c = conversation(lang);
    await c.play([
      [lang === 'ar' ? 'تكفى ذكرني قبل ما تخلص إقامات عيالي' : "remind me before any of my family's iqamas expire", k('verify:askId')],
      [AHMED, ''],
      [OTP, k('reminders:on', { count: 6 })],
    ]);
  });

  it('"stop reminders" inside another task answers and asks that task\'s step again', async () => {
    const c = conversation(lang);
    await c.play([
      [k('reminders:menuTitle'), k('verify:askId')],
      [AHMED, ''],
      [OTP, k('reminders:on', { count: 6 })],
      [k('menu.renew'), k('iqama:chooseIntro')],
      [lang === 'ar' ? 'لا تذكرني' : "don't remind me", [k('reminders:stopped'), k('iqama:chooseIntro')]],
    ]);
  });

  it('a session expired at the services API: verified again, then on; "delete my data" revokes the consent too', async () => {
    const c = conversation(lang);
    await c.play([
      [k('menu.status'), ''],
      ['400000101', k('verify:askId')],
      [AHMED, ''],
      [OTP, k('reminders:offer.text')],
    ]);
    const expired = await fetch(`${sim.url}/_sim/sessions/expire`, { method: 'POST' });
    expect(expired.status).toBe(200);
    await c.play([
      [k('reminders:offer.yes'), [k('services:error.sessionExpired'), k('verify:askId')]],
      [AHMED, ''],
      [OTP, k('reminders:on', { count: 6 })],
    ]);
    const consentId = await consentOf(c.id);
    expect(consentId).not.toBe('');
    await c.play([
      [lang === 'ar' ? 'احذف بياناتي' : 'delete my data', k('privacy:confirm')],
      [k('prompts:yes'), k('privacy:deleted')],
    ]);
    expect(await consentOf(c.id)).toBe('');
    await expect(createServicesClient({ baseUrl: sim.url!, apiKey: 'k' }).getReminderExpiries(consentId)).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('offered once after a verified task ends; "no, thanks" declines; a citizen without iqama holders is told so', async () => {
    const c = conversation(lang);
    await c.play([
      [k('menu.status'), ''],
      ['400000101', k('verify:askId')],
      [AHMED, ''],
      [OTP, k('reminders:offer.text'), [k('reminders:offer.yes'), k('reminders:offer.no')]],
      [k('reminders:offer.no'), k('reminders:offer.declined')],
    ]);
    // Once per conversation: another verified task ends without the offer.
    const later = await c.play([
      [k('menu.status'), ''],
      ['400000101', ''],
    ]);
    expect(later.at(-1)!.map((r) => r.text).join('\n')).not.toContain(k('reminders:offer.text'));
    // "Yes" on the offer: on at once, no second verification (the session is live).
    const yes = conversation(lang);
    await yes.play([
      [k('menu.status'), ''],
      ['400000101', k('verify:askId')],
      [AHMED, ''],
      [OTP, k('reminders:offer.text')],
      [k('reminders:offer.yes'), k('reminders:on', { count: 6 })],
    ]);
    const again = conversation(lang);
    await again.play([
      [k('reminders:menuTitle'), k('verify:askId')],
      [ABDULLAH, ''],
      [OTP, k('reminders:noDependents')],
    ]);
    const bilal = conversation(lang);
    await bilal.play([
      [k('reminders:menuTitle'), k('verify:askId')],
      [BILAL, ''],
      [OTP, k('reminders:noDependents')],
    ]);
  });
});

async function consentOf(conversationId: string): Promise<string> {
  const redis = testRedis(DB);
  try {
    return (await redis.get(`${prefix}rem:conv:emulator/conversations/${conversationId}`)) ?? '';
  } finally {
    redis.disconnect();
  }
}
