/**
 * Personal data at rest and deletion on request, over Direct Line with the official client,
 * real Redis, the services simulator and the agent hub: what is typed is kept masked, a text
 * over the cap is kept as a marker, and after «احذف بياناتي» / "delete my data" and a yes,
 * a scan of Redis finds no key naming the conversation or the user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { startFrozenSim } from '../helpers/sim';
import { dumpUnder, keysUnder, testRedis } from '../helpers/redis';
import { createServicesClient } from '../../adapters/services';
import { handoffModule } from '../../adapters/handoff';
import { createRecognizer } from '../../dialogs/understanding/recognizer';
import { cleanRedis, Conversation, DL_DB, startDirectLine, t, textOf, type DirectLineHarness } from '../directline/support';

const OTP = '482913';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d605930000000049454e44ae426082', 'hex');
let sim: Simulator;
let url: string;
let h: DirectLineHarness;
const redis = testRedis(DL_DB);

beforeAll(async () => {
  ({ sim, url } = await startFrozenSim(OTP, 'k'));
  const services = createServicesClient({ baseUrl: url, apiKey: 'k', timeoutMs: 5000 });
  h = await startDirectLine({ env: { MAX_TEXT_CHARS: '500' }, overrides: { recognizer: createRecognizer(), channels: [() => ({ services }), handoffModule()] } });
});
afterAll(async () => {
  await h?.close();
  await cleanRedis(h.prefix);
  redis.disconnect();
  await sim?.stop();
});



const keysOf = (prefix: string) => keysUnder(redis, prefix);
/** Every value under the prefix, as one text. */
const dump = async (prefix: string) => (await dumpUnder(redis, prefix)).map(([, v]) => v).join('\n');

const CASES = [
  { lang: 'ar' as const, locale: 'ar-SA', ask: 'احذف بياناتي', yes: 'نعم', lookup: 'وش صار على طلبي ٤٠٠ ٠٠٠ ١٠١؟', agent: 'ابي اكلم موظف', reason: 'مشكلة في الدفع' },
  { lang: 'en' as const, locale: 'en-US', ask: 'delete my data', yes: 'yes', lookup: "what's the status of request 400 000 101?", agent: 'talk to an agent', reason: 'payment problem' },
];

describe.each(CASES)('personal data over Direct Line ($lang)', ({ lang, locale, ask, yes, lookup, agent, reason }) => {
  it('is kept masked, and deleted on request with every key of the conversation and user', async () => {
    await redis.zadd(`${h.prefix}ho:{hub}:online`, Date.now() + 600_000, 'agent-1');
    const { token } = await h.token();
    const c = new Conversation(h.app.baseUrl, { token, webSocket: true, locale });
    try {
      await c.waitForBot(2);
      const conv = c.conversationId!;
      // Personal data typed in free text, and a text over the cap.
      await c.say('IBAN SA03 8000 0000 6080 1016 7519, passport A28841937, mobile 0551234567, الرمز 778899', { locale });
      await c.say('x'.repeat(600), { locale });
      // A verified status lookup (the ID number, then the code at the code step).
      await c.say(lookup, { locale });
      await c.say('٢٣٤٥٦٧٨٩٠٤', { locale });
      const status = await c.say(OTP, { locale, replies: 2 });
      expect(status.map(textOf).join('\n')).toContain('400000101');
      // An upload.
      const form = new FormData();
      form.append('activity', new Blob([JSON.stringify({ type: 'message', text: 'صورة', locale })], { type: 'application/vnd.microsoft.activity' }));
      form.append('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'id-card.png');
      const up = await fetch(`${h.app.baseUrl}/v3/directline/conversations/${conv}/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
      expect(up.status).toBe(200);
      await h.channel.idle();
      // A handoff request: queued with its record, relay and queue place.
      await c.say(agent, { locale });
      await c.say(reason, { locale });
      await h.channel.idle();
      expect(await redis.zrange(`${h.prefix}ho:{hub}:queue`, 0, -1)).toContain(`musaed.webchat/conversations/${conv}`);

      // At rest: nothing typed in clear, the long text as a marker.
      const stored = await dump(h.prefix);
      for (const clear of ['6080 1016', '80000000608', 'A28841937', '0551234567', '778899', '٢٣٤٥٦٧٨٩٠٤', '2345678904', OTP, 'x'.repeat(501)]) {
        expect(stored, clear).not.toContain(clear);
      }
      expect(stored).toContain('[not stored: 600 characters]');
      const userId = c.userId!;
      expect((await keysOf(h.prefix)).filter((k) => k.includes(conv)).length).toBeGreaterThan(3);

      // Deletion on request: asked, confirmed, done.
      const confirm = await c.say(ask, { locale });
      expect(textOf(confirm[0]!)).toBe(t(lang, 'privacy:confirm'));
      const done = await c.say(yes, { locale });
      expect(textOf(done[0]!)).toBe(t(lang, 'privacy:deleted'));
      await h.channel.idle();
      await new Promise((r) => setTimeout(r, 100)); // the turn's lock release and last writes
      const left = (await keysOf(h.prefix)).filter((k) => k.includes(conv) || k.includes(userId));
      expect(left).toEqual([]);
      expect(await dump(h.prefix)).not.toContain(conv);
    } finally {
      c.end();
    }
  });
});
