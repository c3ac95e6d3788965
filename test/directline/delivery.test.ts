/**
 * Delivery beyond request and reply: a proactive message (a notification, an agent's words)
 * reaches an open WebSocket; typing passes through to sockets without being stored; and with
 * two app instances on one Redis, a message posted to A is answered on a socket held by B.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TurnContext, type Activity as BotActivity } from 'botbuilder';
import type { ChannelModule } from '../../bot/app';
import { uniquePrefix } from '../helpers/redis';
import { buttonsOf, cleanRedis, Conversation, menuTitles, sleep, startDirectLine, t, textOf, type DirectLineHarness } from './support';

/** The bot shows "typing…" before answering "slow" (a test-only middleware, as a long dialog step would). */
const typingFirst: ChannelModule = (ctx) => {
  ctx.use({
    async onTurn(tc, next) {
      if (tc.activity.type === 'message' && tc.activity.text === 'slow') await tc.sendActivity({ type: 'typing' });
      await next();
    },
  });
};

/**
 * On "twice", the bot's reply reaches the channel two times, as when the Connector client sends a
 * call again after a refusal (CONNECTOR_RETRIES): a reply refused because its WAIT failed during
 * a failover is stored all the same. The ids the channel answered are kept in `twiceIds`.
 */
const twiceIds: string[] = [];
const sentTwice: ChannelModule = (ctx) => {
  ctx.use({
    async onTurn(tc, next) {
      if (tc.activity.type !== 'message' || tc.activity.text !== 'twice') return next();
      tc.onSendActivities(async (_c, _activities, send) => {
        const first = await send();
        const again = await send();
        twiceIds.push(...[...first, ...again].map((r) => r?.id ?? ''));
        return first;
      });
      await tc.sendActivity('وصلت مرة واحدة');
    },
  });
};

describe('Direct Line delivery', () => {
  let h: DirectLineHarness;
  beforeAll(async () => {
    h = await startDirectLine({ overrides: { channels: [typingFirst, sentTwice] } });
  });
  afterAll(async () => {
    await h.close();
    await cleanRedis(h.prefix);
  });

  it('a proactive message with the stored conversation reference reaches the open WebSocket', async () => {
    const { token } = await h.token();
    const c = new Conversation(h.app.baseUrl, { token, webSocket: true, locale: 'ar-SA' });
    try {
      await c.waitForBot(2);
      await c.say('السلام عليكم');
      // What a notifier or the agent hub keeps: the reference of the user's last turn.
      const turn = h.seen.filter((a) => a.type === 'message' && a.conversation?.id === c.conversationId).at(-1)!;
      const reference = TurnContext.getConversationReference(turn);
      await h.app.proactive.continueConversation(reference, async (tc) => {
        await tc.sendActivity({ type: 'message', text: 'تم تحديث حالة طلبك', locale: 'ar-SA', suggestedActions: { to: [], actions: [{ type: 'imBack', title: 'متابعة طلب', value: 'متابعة طلب' }] } });
      });
      const note = await c.waitFor((a) => textOf(a) === 'تم تحديث حالة طلبك');
      expect(note.from.role).toBe('bot');
      expect(buttonsOf(note)).toEqual(['متابعة طلب']);
      expect((note as { locale?: string }).locale).toBe('ar-SA');
      expect(JSON.stringify(note)).not.toContain('/connector/directline');
    } finally {
      c.end();
    }
  });

  it('a bot reply that reaches the channel twice (a retried Connector call) is shown once, with one id', async () => {
    const { token } = await h.token();
    const c = new Conversation(h.app.baseUrl, { token, webSocket: false, locale: 'ar-SA' });
    try {
      await c.waitForBot(2);
      await c.say('twice');
      await h.channel.idle();
      expect(twiceIds).toHaveLength(2);
      expect(twiceIds[1]).toBe(twiceIds[0]);
      const polled = await fetch(`${h.app.baseUrl}/v3/directline/conversations/${c.conversationId}/activities`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await polled.json()) as { activities: Array<{ id: string; text?: string; channelData?: Record<string, unknown> }> };
      const shown = body.activities.filter((a) => a.text === 'وصلت مرة واحدة');
      expect(shown.map((a) => a.id)).toEqual([twiceIds[0]]);
      // The delivery key is the channel's business: clients never see it.
      expect(shown[0]!.channelData?.deliveryKey).toBeUndefined();
    } finally {
      c.end();
    }
  });

  it('typing reaches a WebSocket before the answer and is not stored (polling never sees it)', async () => {
    const { token } = await h.token();
    const ws = new Conversation(h.app.baseUrl, { token, webSocket: true, locale: 'en-US' });
    try {
      await ws.waitForBot(2);
      await ws.say('slow');
      const typing = ws.received.findIndex((a) => a.type === 'typing');
      expect(typing).toBeGreaterThan(-1);
      const answer = ws.received.findIndex((a, i) => i > typing && a.type === 'message' && a.from.role === 'bot');
      expect(answer).toBeGreaterThan(typing);

      const polled = await fetch(`${h.app.baseUrl}/v3/directline/conversations/${ws.conversationId}/activities`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await polled.json()) as { activities: Array<{ type: string }> };
      expect(body.activities.map((a) => a.type)).not.toContain('typing');
      expect(body.activities.length).toBeGreaterThanOrEqual(4);

      // The user's own typing is acknowledged and goes nowhere.
      const before = h.seen.length;
      await ws.post({ type: 'typing', from: { id: 'x' } } as never);
      await h.channel.idle();
      expect(h.seen.length).toBe(before);
    } finally {
      ws.end();
    }
  });
});

describe('Direct Line across two instances', () => {
  const prefix = uniquePrefix('dl2');
  let a: DirectLineHarness;
  let b: DirectLineHarness;
  beforeAll(async () => {
    a = await startDirectLine({ prefix });
    b = await startDirectLine({ prefix });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await cleanRedis(prefix);
  });

  it("a message posted to A's REST endpoint is answered on the WebSocket held by B", async () => {
    // The page got its token and started on A...
    const { token, conversationId } = await a.token();
    const start = await fetch(`${a.app.baseUrl}/v3/directline/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ locale: 'en-US' }),
    });
    expect(start.status).toBe(201);
    await a.channel.idle();

    // ...then its socket landed on B (a reconnect through the load balancer).
    const onB = new Conversation(b.app.baseUrl, { token, webSocket: true, conversationId });
    try {
      await onB.waitForBot(2); // the welcome written by A's turn
      expect(b.channel.sockets()).toBe(1);
      expect(a.channel.sockets()).toBe(0);

      const posted = await fetch(`${a.app.baseUrl}/v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text: 'menu', locale: 'en-US', from: { id: 'x' }, channelData: { clientActivityID: 'from-a' } }),
      });
      expect(posted.status).toBe(200);
      const { id } = (await posted.json()) as { id: string };
      const reply = await onB.waitFor((x) => x.from.role === 'bot' && x.id! > id);
      expect(buttonsOf(reply)).toEqual(menuTitles('en'));
      expect(onB.received.find((x) => x.id === id)).toMatchObject({ channelData: { clientActivityID: 'from-a' } });

      // The turn ran on A; B only relayed.
      expect(a.seen.some((x: Partial<BotActivity>) => x.id === id)).toBe(true);
      expect(b.seen.some((x: Partial<BotActivity>) => x.id === id)).toBe(false);

      // And the other way round: B's REST, and the socket still on B.
      const second = await onB.say('english', { locale: 'en-US', replies: 2 });
      expect(textOf(second[0]!)).toBe(t('en', 'language.switched'));
    } finally {
      onB.end();
    }
    await sleep(50);
  });
});
