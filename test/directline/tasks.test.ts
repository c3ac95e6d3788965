/**
 * The official botframework-directlinejs client, over the WebSocket and by polling, holds a
 * real task conversation against the endpoint: an FAQ answered from the knowledge base, then
 * a status lookup that verifies the user against the services simulator over HTTP.
 */
import { presentText } from '../../dialogs/format/outgoing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { startFrozenSim } from '../helpers/sim';
import { createServicesClient } from '../../adapters/services';
import { createRecognizer } from '../../dialogs/understanding/recognizer';
import { cleanRedis, Conversation, startDirectLine, t, textOf, type DirectLineHarness } from './support';

const OTP = '482913';
let sim: Simulator;
let url: string;

beforeAll(async () => {
  ({ sim, url } = await startFrozenSim(OTP, 'k'));
});
afterAll(async () => {
  await sim?.stop();
});

describe.each([
  { mode: 'WebSocket', webSocket: true },
  { mode: 'polling', webSocket: false },
])('Direct Line: an FAQ and a status lookup over $mode', ({ webSocket }) => {
  let h: DirectLineHarness;
  beforeAll(async () => {
    const services = createServicesClient({ baseUrl: url, apiKey: 'k', timeoutMs: 5000 });
    h = await startDirectLine({ overrides: { recognizer: createRecognizer(), channels: [() => ({ services })] } });
  });
  afterAll(async () => {
    await h.close();
    await cleanRedis(h.prefix);
  });

  it('answers a question, then verifies the user and explains "قيدت"', async () => {
    const { token } = await h.token();
    const c = new Conversation(h.app.baseUrl, { token, webSocket, locale: 'ar-SA' });
    try {
      await c.waitForBot(2);
      const faq = await c.say('كيف احجز موعد في الجوازات؟');
      expect(textOf(faq[0]!)).toContain(t('ar', 'faq:appointment.answer').slice(0, 60));

      const ask = await c.say('وش صار على طلبي ٤٠٠ ٠٠٠ ١٠١؟');
      expect(textOf(ask[0]!)).toBe(t('ar', 'verify:askId'));
      const code = await c.say('٢٣٤٥٦٧٨٩٠٤');
      expect(textOf(code[0]!)).toBe(presentText(t('ar', 'verify:askCode', { mobile: '05******12' })));
      const status = await c.say(OTP, { replies: 2 });
      const all = status.map(textOf).join('\n');
      expect(all).toContain('أهلاً أحمد');
      expect(all).toContain('قيدت');
      expect(all).toContain('400000101');
      // The transcript keeps the exchange with the code hidden and the ID number masked.
      // (It is written when the turn ends, which can be just after the replies arrive.)
      const read = async () => JSON.stringify(await h.app.transcripts.read(`musaed.webchat/conversations/${c.conversationId!}`));
      let transcript = await read();
      for (let i = 0; i < 40 && !transcript.includes('[hidden]'); i++) {
        await new Promise((r) => setTimeout(r, 50));
        transcript = await read();
      }
      expect(transcript).toContain('[hidden]');
      expect(transcript).not.toContain(OTP);
      expect(transcript).not.toContain('٢٣٤٥٦٧٨٩٠٤');
    } finally {
      c.end();
    }
  });
});
