/**
 * A WhatsApp conversation whose data vanished (a Redis reset or a restore from an older
 * snapshot, simulated by deleting every key of the app on real Redis) while the user still has
 * the bot's earlier messages on the phone. A tap on one of its list rows or buttons, or a reply
 * quoting one of its messages, is evidently a continuation: the user is told plainly, once, in
 * their language, that the earlier conversation could not be recovered. A tap that is itself a
 * request (a menu row) is then carried out; one that only answered a question the bot no longer
 * has (a dependent's name, «نعم») is not misread, and the welcome and the menu come instead.
 * A first message with no context, and a template's quick reply, get no such line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { createServicesClient } from '../../adapters/services';
import { createRecognizer } from '../../dialogs/understanding/recognizer';
import { createTranslator } from '../../bot/i18n';
import { startFrozenSim } from '../helpers/sim';
import { deleteByPrefix, testRedis } from '../helpers/redis';
import { bodyOf, choicesOf, msg, startWhatsApp, WA_DB, type WhatsAppHarness } from './support';
import type { SentMessage } from './fakeGraph';

const { t } = createTranslator();
const OTP = '482913';
const redis = testRedis(WA_DB);
let sim: Simulator;
let h: WhatsAppHarness;

beforeAll(async () => {
  const started = await startFrozenSim(OTP, 'k');
  sim = started.sim;
  const services = createServicesClient({ baseUrl: started.url, apiKey: 'k', timeoutMs: 5000 });
  h = await startWhatsApp({ overrides: { recognizer: createRecognizer(), channels: [() => ({ services })] } });
});
afterAll(async () => {
  await h?.close();
  await sim?.stop();
  redis.disconnect();
});

const texts = (sent: SentMessage[]) => sent.map(bodyOf);
const lostLine = (lang: 'ar' | 'en') => t(lang, 'errors.conversationLost');
/** Every key of the app gone, as after a Redis reset: state, the channel's own keys, transcripts. */
const resetRedis = () => deleteByPrefix(redis, h.prefix);
/** A message quoting one of the bot's messages (WhatsApp's reply: `context` names it). */
const quoting = (m: Record<string, unknown>) => ({ ...m, context: { from: h.fake.phoneNumberId, id: `wamid.earlier-${Math.random().toString(36).slice(2)}` } });

/** Starts a renewal and verifies: returns the dependents list the bot sent. */
async function upToDependents(waId: string, lang: 'ar' | 'en'): Promise<SentMessage> {
  await h.say(waId, msg.text(lang === 'ar' ? 'السلام عليكم' : 'Hello'));
  const renew = t(lang, 'menu.renew');
  const ask = await h.say(waId, msg.listReply(renew, renew));
  // The conversation is under way: a tap gets no lost line.
  expect(texts(ask).join('\n')).not.toContain(lostLine(lang));
  expect(texts(ask)[0]).toContain(t(lang, 'verify:askId').slice(0, 20));
  await h.say(waId, msg.text('2345678904'));
  const verified = await h.say(waId, msg.text(OTP));
  const list = verified.find((s) => choicesOf(s).length > 1);
  expect(list).toBeDefined();
  return list!;
}

describe('WhatsApp: a conversation whose data vanished', () => {
  it.each(['ar', 'en'] as const)('a tapped answer to a question the bot no longer has gets the line once, then the welcome and the menu (%s)', async (lang) => {
    const waId = h.newUser();
    const dependents = await upToDependents(waId, lang);
    const mona = choicesOf(dependents)[0]!;

    await resetRedis();
    const after = await h.say(waId, msg.listReply(mona.id, mona.title));
    const said = texts(after);
    expect(said[0]).toBe(lostLine(lang));
    expect(said.filter((x) => x === lostLine(lang))).toHaveLength(1);
    // Not read as anything: no renewal question, no "I did not understand"; the welcome and the menu.
    expect(said[1]).toContain(t(lang, 'welcome').slice(0, 30));
    expect(choicesOf(after[after.length - 1]!).map((c) => c.id)).toContain(t(lang, 'menu.renew'));
    expect(said.join('\n')).not.toContain(t(lang, 'notUnderstood.first'));
    expect(after).toHaveLength(3);

    // Said once: the next tap continues the fresh conversation without it.
    const renew = t(lang, 'menu.renew');
    const again = await h.say(waId, msg.listReply(renew, renew));
    expect(texts(again).join('\n')).not.toContain(lostLine(lang));
    expect(texts(again)[0]).toContain(t(lang, 'verify:askId').slice(0, 20));
  }, 60_000);

  it('a list row that is a menu command still starts its task after the line', async () => {
    const waId = h.newUser();
    await h.say(waId, msg.text('السلام عليكم'));
    await resetRedis();
    const renew = t('ar', 'menu.renew');
    const after = await h.say(waId, msg.listReply(renew, renew));
    const said = texts(after);
    expect(said[0]).toBe(lostLine('ar'));
    expect(said.filter((x) => x === lostLine('ar'))).toHaveLength(1);
    expect(said[said.length - 1]).toContain(t('ar', 'verify:askId').slice(0, 20));
  }, 30_000);

  it('a reply quoting an earlier message: «نعم» is not misread, a request in words is carried out', async () => {
    const yes = h.newUser();
    await h.say(yes, msg.text('السلام عليكم'));
    await resetRedis();
    const afterYes = await h.say(yes, quoting(msg.text('نعم')));
    expect(texts(afterYes)[0]).toBe(lostLine('ar'));
    expect(choicesOf(afterYes[afterYes.length - 1]!).map((c) => c.id)).toContain(t('ar', 'menu.renew'));

    const request = h.newUser();
    await h.say(request, msg.text('السلام عليكم'));
    await resetRedis();
    const afterRequest = await h.say(request, quoting(msg.text('ابي اجدد اقامة زوجتي')));
    expect(texts(afterRequest)[0]).toBe(lostLine('ar'));
    expect(texts(afterRequest).at(-1)).toContain(t('ar', 'verify:askId').slice(0, 20));
  }, 30_000);

  it('no line for a first message with no context, a plain message after a reset, or a template quick reply', async () => {
    const fresh = h.newUser();
    const first = await h.say(fresh, msg.text('السلام عليكم'));
    expect(texts(first).join('\n')).not.toContain(lostLine('ar'));
    expect(texts(first)[0]).toContain(t('ar', 'welcome').slice(0, 30));

    // Nothing says a typed message continues anything: a fresh start, as before.
    await resetRedis();
    const typed = await h.say(fresh, msg.text('ابي اجدد اقامة زوجتي'));
    expect(texts(typed).join('\n')).not.toContain(lostLine('ar'));

    // A template is sent when the conversation has been idle a day: its quick reply starts afresh.
    const templated = h.newUser();
    const quick = await h.say(templated, quoting(msg.quickReply(t('ar', 'menu.renew'), 'RENEW')));
    expect(texts(quick).join('\n')).not.toContain(lostLine('ar'));
    expect(texts(quick).at(-1)).toContain(t('ar', 'verify:askId').slice(0, 20));
  }, 30_000);
});
