/** The app with the WhatsApp channel against the fake Graph API, on real Redis (db 3). */
import { randomInt } from 'node:crypto';
import type { Activity, ConversationReference } from 'botbuilder';
import { startApp } from '../helpers/app';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import type { App, AppOverrides, ChannelModule } from '../../bot/app';
import { whatsAppChannel, type WhatsAppChannelHandle } from '../../adapters/whatsapp';
import { msg, startFakeGraph, webhookOf, type FakeGraph, type SentMessage } from './fakeGraph';

export const WA_DB = 3;
export const VERIFY_TOKEN = 'verify-me-please';

export interface WhatsAppHarness {
  app: App & { baseUrl: string };
  fake: FakeGraph;
  channel: WhatsAppChannelHandle;
  prefix: string;
  /** Activities as the bot saw them (after the core middleware). */
  seen: Array<Partial<Activity>>;
  /** A fresh Saudi wa_id for one test. */
  newUser(): string;
  /** The pseudonym the bot sees as conversation and user id for a wa_id. */
  idOf(waId: string): string;
  /** A user the channel knows (as after a message of theirs): their number kept, and their last message at `lastInbound` if given. */
  known(waId: string, lastInbound?: number): Promise<void>;
  /** Delivers messages from a user in one signed webhook and waits until they are processed; returns what was sent. */
  say(waId: string, ...messages: Array<Record<string, unknown>>): Promise<SentMessage[]>;
  /** What the bot saw from this user. */
  seenFrom(waId: string): Array<Partial<Activity>>;
  /** The conversation reference the bot keeps for a user (named by the pseudonym). */
  reference(waId: string, locale?: string): Partial<ConversationReference>;
  /** A proactive message to a known user (the bot's own outbound path), waited for; returns what was sent. */
  send(waId: string, activity: Partial<Activity>, locale?: string): Promise<SentMessage[]>;
  close(): Promise<void>;
}

export async function startWhatsApp(
  options: { clock?: () => number; env?: Record<string, string>; overrides?: AppOverrides } = {},
): Promise<WhatsAppHarness> {
  const fake = await startFakeGraph();
  const prefix = uniquePrefix('wa');
  const seen: Array<Partial<Activity>> = [];
  let channel: WhatsAppChannelHandle | undefined;
  const recorder: ChannelModule = (ctx) => {
    ctx.use({
      async onTurn(tc, next) {
        if (tc.activity.type === 'message') seen.push(JSON.parse(JSON.stringify(tc.activity)) as Partial<Activity>);
        await next();
      },
    });
  };
  const app = await startApp(
    {
      REDIS_URL: `redis://127.0.0.1:6379/${WA_DB}`,
      REDIS_KEY_PREFIX: prefix,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      WHATSAPP_APP_SECRET: fake.appSecret,
      WHATSAPP_ACCESS_TOKEN: fake.accessToken,
      WHATSAPP_PHONE_NUMBER_ID: fake.phoneNumberId,
      WHATSAPP_GRAPH_URL: fake.url,
      WHATSAPP_GRAPH_VERSION: fake.version,
      WHATSAPP_TEMPLATE_NOTIFY: 'musaed_update:ar,en',
      WHATSAPP_RETRY_BASE_MS: '2',
      WHATSAPP_SEND_ATTEMPTS: '4',
      ...options.env,
    },
    {
      ...options.overrides,
      channels: [whatsAppChannel({ clock: options.clock, onReady: (c) => (channel = c) }), recorder, ...(options.overrides?.channels ?? [])],
    },
  );
  if (!channel) throw new Error('WhatsApp channel did not start');
  const handle = channel;
  const idOf = (waId: string) => handle.userIdOf(waId);
  const known = async (waId: string, lastInbound?: number) => {
    await handle.store.rememberAddress(idOf(waId), waId, handle.config.addressTtlSeconds);
    if (lastInbound !== undefined) await handle.store.recordInbound(idOf(waId), lastInbound);
  };
  const reference = (waId: string, locale = 'ar-SA'): Partial<ConversationReference> => ({
    channelId: 'whatsapp',
    serviceUrl: `${app.baseUrl}/connector/whatsapp/`,
    conversation: { id: idOf(waId), isGroup: false, conversationType: 'personal', name: '' },
    user: { id: idOf(waId), name: '' },
    bot: { id: fake.phoneNumberId, name: 'Musaed' },
    locale,
  });
  return {
    app,
    fake,
    channel: handle,
    prefix,
    seen,
    newUser: () => `9665${randomInt(10_000_000, 99_999_999)}`,
    idOf,
    known,
    async say(waId, ...messages) {
      const before = fake.sent.length;
      // Sent by the user now, by the channel's clock (the 24-hour window runs from Meta's timestamp).
      const res = await fake.deliver(app.baseUrl, webhookOf(fake.phoneNumberId, waId, messages, undefined, (options.clock ?? Date.now)()));
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${res.body}`);
      await handle.idle();
      return fake.sent.slice(before).filter((s) => s.to === waId);
    },
    seenFrom: (waId) => seen.filter((a) => a.from?.id === idOf(waId)),
    reference,
    async send(waId, activity, locale) {
      await known(waId);
      const before = fake.sent.length;
      await app.proactive.continueConversation(reference(waId, locale), async (tc) => {
        await tc.sendActivity(activity);
      });
      return fake.sent.slice(before).filter((s) => s.to === waId);
    },
    async close() {
      await app.close();
      await fake.close();
      const redis = testRedis(WA_DB);
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

export { msg };

/** The visible text of a sent message (text body, interactive body or template parameter). */
export function bodyOf(s: SentMessage): string {
  const b = s.body as Record<string, any>;
  if (s.type === 'text') return b.text.body;
  if (s.type === 'interactive') return b.interactive.body.text;
  if (s.type === 'template') return b.template.components[0].parameters[0].text;
  return '';
}

export function choicesOf(s: SentMessage): Array<{ id: string; title: string; description?: string }> {
  const b = s.body as Record<string, any>;
  if (s.type !== 'interactive') return [];
  if (b.interactive.type === 'button') return b.interactive.action.buttons.map((x: { reply: { id: string; title: string } }) => x.reply);
  return b.interactive.action.sections.flatMap((sec: { rows: unknown[] }) => sec.rows);
}
