/**
 * The official botframework-directlinejs client against the endpoint, over the WebSocket and
 * by polling: the welcome on start, a multi-turn conversation with suggested actions, the
 * language switch both ways, the echo that keeps clientActivityID and the client's locale,
 * and a reconnect from a watermark that brings only newer activities.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, cleanRedis, Conversation, menuTitles, startDirectLine, t, textOf, type DirectLineHarness } from './support';

describe.each([
  { mode: 'WebSocket', webSocket: true },
  { mode: 'polling', webSocket: false },
])('Direct Line conversation over $mode', ({ webSocket }) => {
  let h: DirectLineHarness;
  beforeAll(async () => {
    h = await startDirectLine();
  });
  afterAll(async () => {
    await h.close();
    await cleanRedis(h.prefix);
  });

  it('holds a multi-turn conversation and switches language both ways', async () => {
    const { token } = await h.token();
    const c = new Conversation(h.app.baseUrl, { token, webSocket, locale: 'ar-SA' });
    try {
      // Start: the bot is told the user joined and welcomes in the page's language, with the menu.
      const [welcome, menu] = await c.waitForBot(2);
      expect(textOf(welcome!)).toBe(t('ar', 'welcome'));
      expect(textOf(menu!)).toBe(t('ar', 'menu.prompt'));
      expect(buttonsOf(menu!)).toEqual(menuTitles('ar'));
      const start = h.seen.find((a) => a.type === 'conversationUpdate');
      expect(start?.channelId).toBe('musaed.webchat');
      expect(start?.locale).toBe('ar-SA');
      expect(start?.membersAdded?.map((m) => m.id)).toContain(start?.from?.id);

      // A greeting: the reply carries the menu as suggested actions, untouched.
      const greeting = await c.say('السلام عليكم');
      expect(textOf(greeting[0]!)).toContain(t('ar', 'greeting.return.salam'));
      expect(buttonsOf(greeting[0]!)).toEqual(menuTitles('ar'));
      expect((greeting[0] as { suggestedActions?: { actions: Array<{ type: string; value: string }> } }).suggestedActions?.actions[0]).toMatchObject({
        type: 'imBack',
        value: t('ar', 'menu.renew'),
      });

      // The echo: server id and timestamp, the client's clientActivityID and locale, the token's user.
      const echo = c.received.find((a) => a.from.role === 'user' && textOf(a) === 'السلام عليكم')!;
      expect(echo.id).toMatch(new RegExp(`^${c.conversationId}\\|\\d{7}$`));
      expect((echo as { channelData?: { clientActivityID?: string } }).channelData?.clientActivityID).toMatch(/^client-/);
      expect(echo.timestamp).toBeTruthy();
      expect((echo as { locale?: string }).locale).toBe('ar-SA');
      expect(echo.from.id).toMatch(/^dl_/);
      const botSaw = h.seen.find((a) => a.type === 'message' && a.text === 'السلام عليكم')!;
      expect(botSaw.id).toBe(echo.id);
      expect(botSaw.locale).toBe('ar-SA');
      expect(botSaw.from?.id).toBe(echo.from.id);

      // A second message the bot does not understand: it says so, in Arabic.
      const miss = await c.say('ما هو لون السماء اليوم');
      expect(textOf(miss[0]!)).toBe(t('ar', 'notUnderstood.first'));

      // English, then back to Arabic.
      const en = await c.say('english', { locale: 'ar-SA', replies: 2 });
      expect(textOf(en[0]!)).toBe(t('en', 'language.switched'));
      expect(buttonsOf(en[1]!)).toEqual(menuTitles('en'));
      const ar = await c.say('عربي', { replies: 2 });
      expect(textOf(ar[0]!)).toBe(t('ar', 'language.switched'));
      expect(buttonsOf(ar[1]!)).toEqual(menuTitles('ar'));

      // Each activity arrived once, in order of its id.
      const ids = c.received.map((a) => a.id!);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(ids);

      // The transport the test claims to use is the one the client used.
      const polled = c.calls.filter((x) => x.method === 'GET' && x.url.includes('/activities'));
      if (webSocket) expect(polled).toEqual([]);
      else expect(polled.length).toBeGreaterThan(0);
    } finally {
      c.end();
    }
  });

  it('reconnects to the same conversation from a watermark and gets only newer activities', async () => {
    const { token } = await h.token();
    const first = new Conversation(h.app.baseUrl, { token, webSocket, locale: 'en-US' });
    await first.waitForBot(2);
    const englishWelcome = first.botMessages()[0]!;
    expect(textOf(englishWelcome)).toBe(t('en', 'welcome'));
    await first.say('hello');
    const conversationId = first.conversationId;
    const watermark = first.watermark;
    const seenIds = new Set(first.received.map((a) => a.id));
    first.end();

    // While nobody is connected the bot still talks (a notification): it must not be lost.
    await h.app.proactive.continueConversation(
      {
        channelId: 'musaed.webchat',
        serviceUrl: `${h.app.baseUrl}/connector/directline/`,
        conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
        bot: { id: 'musaed', name: 'Musaed' },
        user: { id: first.userId!, name: '' },
      },
      async (tc) => {
        await tc.sendActivity('while you were away');
      },
    );

    const again = new Conversation(h.app.baseUrl, { token, webSocket, conversationId, watermark });
    try {
      const missed = await again.waitFor((a) => textOf(a) === 'while you were away');
      expect(missed.id! > [...seenIds].sort().at(-1)!).toBe(true);
      const reply = await again.say('menu', { locale: 'en-US' });
      expect(buttonsOf(reply[0]!)).toEqual(menuTitles('en'));
      // Nothing from before the watermark came again.
      expect(again.received.filter((a) => seenIds.has(a.id))).toEqual([]);
      expect(again.conversationId).toBe(conversationId);
    } finally {
      again.end();
    }
  });
});
