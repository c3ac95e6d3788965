/**
 * A WhatsApp message id as long as the webhook allows (256 characters, with characters that
 * need escaping in a URL path) still gets its reply: the bot's Connector reply to that id must
 * not fail (before: the reply to a 256-character id failed and the user heard nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, msg, startWhatsApp, type WhatsAppHarness } from './support';

let h: WhatsAppHarness;
beforeAll(async () => {
  h = await startWhatsApp();
});
afterAll(async () => {
  await h?.close();
});

describe('WhatsApp message ids', () => {
  it('a 256-character id is answered', async () => {
    for (const id of ['wamid.' + 'A'.repeat(250), 'wamid.' + 'HBgM/+='.repeat(35) + 'x'.repeat(5)]) {
      const waId = h.newUser();
      const replies = await h.say(waId, msg.text('hello', id.slice(0, 256)));
      expect(replies.length).toBeGreaterThan(0);
      expect(bodyOf(replies[0]!)).toBeTruthy();
    }
  });
});
