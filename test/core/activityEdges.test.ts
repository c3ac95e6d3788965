/**
 * Odd activities over real HTTP (/api/messages, expectReplies): a non-array membersAdded is
 * refused with 400 (before: the SDK's .filter threw mid-turn and the error handler cleared the
 * dialog stack), and an invoke the product does not support is answered 200 with an error-shaped
 * body (before: 501 and an error log). The bot itself also ignores a non-array membersAdded that
 * reaches it from a channel that skips /api/messages' validation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationState, MemoryStorage, TestAdapter, UserState } from 'botbuilder';
import { MusaedBot } from '../../bot/bot';
import type { MainDialog } from '../../dialogs/mainDialog';
import type { App } from '../../bot/app';
import { startApp } from '../helpers/app';

let app: App & { baseUrl: string };
beforeAll(async () => {
  app = await startApp();
}, 30_000);
afterAll(() => app.close());

const base = { channelId: 'emulator', serviceUrl: 'http://127.0.0.1:9/', conversation: { id: 'edge-c1' }, from: { id: 'edge-u1' }, recipient: { id: 'bot' } };
const post = (activity: Record<string, unknown>) =>
  fetch(`${app.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...base, ...activity }) });

describe('odd activities', () => {
  it('a conversationUpdate whose membersAdded is not an array of accounts → 400', async () => {
    for (const membersAdded of ['abc', { length: 1 }, [null], 42]) {
      const res = await post({ type: 'conversationUpdate', membersAdded });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('membersAdded');
    }
  });

  it('the bot ignores a non-array membersAdded that bypasses validation', async () => {
    let welcomed = 0;
    const mainDialog = { welcome: async () => void welcomed++, run: async () => undefined } as unknown as MainDialog;
    const storage = new MemoryStorage();
    const bot = new MusaedBot({ conversationState: new ConversationState(storage), userState: new UserState(storage), mainDialog, t: (_l, k) => k, maxTextChars: 100 });
    const adapter = new TestAdapter((ctx) => bot.run(ctx));
    await adapter.receiveActivity({ type: 'conversationUpdate', membersAdded: 'abc' as never, recipient: { id: 'bot', name: 'bot' } });
    await adapter.receiveActivity({ type: 'conversationUpdate', membersAdded: [{ id: 'u1', name: 'u' }], recipient: { id: 'bot', name: 'bot' } });
    expect(welcomed).toBe(1);
  });

  it('an unsupported invoke → 200 with a 404-shaped body; a card action → 200 with a 400-shaped body', async () => {
    const unknown = await post({ type: 'invoke', name: 'composeExtension/query', value: {} });
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toMatchObject({ statusCode: 404, type: 'application/vnd.microsoft.error' });
    const card = await post({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'x' } } });
    expect(card.status).toBe(200);
    expect(await card.json()).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
  });
});
