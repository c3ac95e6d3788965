/** The app with the Direct Line channel on real Redis (db 5), and a conversation driven by the official client. */
import type { Activity as BotActivity } from 'botbuilder';
import { startApp } from '../helpers/app';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import type { App, AppOverrides, ChannelModule } from '../../bot/app';
import { createTranslator } from '../../bot/i18n';
import { directLineChannel, type DirectLineChannelHandle } from '../../adapters/directline';
import { directLineClient, type Activity, type AjaxCall, type DirectLine } from './dlClient';

export const DL_DB = 5;
export const SECRET = 'test-directline-secret-0123456789abcdefghijklmnop';
export const { t } = createTranslator();

export interface DirectLineHarness {
  app: App & { baseUrl: string };
  channel: DirectLineChannelHandle;
  prefix: string;
  /** Activities as the bot saw them (after the core middleware). */
  seen: Array<Partial<BotActivity>>;
  /** An anonymous token and its conversation id, as the page gets them. */
  token(): Promise<{ token: string; conversationId: string; expires_in: number }>;
  close(): Promise<void>;
}

export async function startDirectLine(
  options: { env?: Record<string, string>; prefix?: string; clock?: () => number; overrides?: AppOverrides } = {},
): Promise<DirectLineHarness> {
  const prefix = options.prefix ?? uniquePrefix('dl');
  const seen: Array<Partial<BotActivity>> = [];
  let channel: DirectLineChannelHandle | undefined;
  const recorder: ChannelModule = (ctx) => {
    ctx.use({
      async onTurn(tc, next) {
        seen.push(JSON.parse(JSON.stringify(tc.activity)) as Partial<BotActivity>);
        await next();
      },
    });
  };
  const app = await startApp(
    { REDIS_URL: `redis://127.0.0.1:6379/${DL_DB}`, REDIS_KEY_PREFIX: prefix, DIRECTLINE_SECRET: SECRET, ...options.env },
    {
      ...options.overrides,
      channels: [directLineChannel({ clock: options.clock, onReady: (c) => (channel = c) }), recorder, ...(options.overrides?.channels ?? [])],
    },
  );
  if (!channel) throw new Error('Direct Line channel did not start');
  return {
    app,
    channel,
    prefix,
    seen,
    async token() {
      const res = await fetch(`${app.baseUrl}/v3/directline/tokens/generate`, { method: 'POST' });
      if (res.status !== 200) throw new Error(`generate answered ${res.status}`);
      return (await res.json()) as { token: string; conversationId: string; expires_in: number };
    },
    async close() {
      await app.close();
    },
  };
}

export async function cleanRedis(prefix: string): Promise<void> {
  const redis = testRedis(DL_DB);
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
}

/** One conversation as a page would hold it: the client, everything it received, and helpers to wait. */
export class Conversation {
  readonly received: Activity[] = [];
  readonly calls: AjaxCall[] = [];
  readonly client: DirectLine;
  private waiters: Array<() => void> = [];

  constructor(baseUrl: string, options: { token: string; webSocket: boolean; conversationId?: string; watermark?: string; locale?: string }) {
    this.client = directLineClient(baseUrl, { ...options, calls: this.calls });
    this.client.activity$.subscribe(
      (a) => {
        this.received.push(a);
        for (const w of this.waiters.splice(0)) w();
      },
      () => undefined, // "conversation ended" after end()
    );
  }

  get userId(): string | undefined {
    return this.received.find((a) => a.from.role === 'user')?.from.id;
  }

  botMessages(): Activity[] {
    return this.received.filter((a) => a.type === 'message' && a.from.role === 'bot');
  }

  /** Waits until the bot has sent at least n messages in total. */
  async waitForBot(n: number, timeoutMs = 10_000): Promise<Activity[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.botMessages().length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} bot messages, got ${this.botMessages().length}: ${JSON.stringify(this.botMessages().map(textOf))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.botMessages();
  }

  async waitFor(predicate: (a: Activity) => boolean, timeoutMs = 10_000): Promise<Activity> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find(predicate);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error('activity not received in time');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** Sends a message as Web Chat does (with a clientActivityID) and waits for the bot's next `replies` messages. */
  async say(text: string, options: { locale?: string; replies?: number } = {}): Promise<Activity[]> {
    const before = this.botMessages().length;
    const clientActivityID = `client-${Math.random().toString(36).slice(2)}`;
    await this.post({
      type: 'message',
      from: { id: this.userId ?? 'page-user', name: 'زائر' },
      text,
      locale: options.locale ?? 'ar-SA',
      textFormat: 'plain',
      channelData: { clientActivityID, clientTimestamp: new Date().toISOString() },
    } as Activity);
    await this.waitFor((a) => (a as { channelData?: { clientActivityID?: string } }).channelData?.clientActivityID === clientActivityID);
    const all = await this.waitForBot(before + (options.replies ?? 1));
    return all.slice(before);
  }

  post(activity: Activity): Promise<string> {
    return new Promise((resolve, reject) => this.client.postActivity(activity).subscribe(resolve, reject));
  }

  /** The watermark the client has reached. */
  get watermark(): string {
    return (this.client as unknown as { watermark: string }).watermark;
  }

  get conversationId(): string {
    return (this.client as unknown as { conversationId: string }).conversationId;
  }

  end(): void {
    this.client.end();
  }
}

export const textOf = (a: Activity): string => (a as { text?: string }).text ?? '';
export const buttonsOf = (a: Activity): string[] =>
  ((a as { suggestedActions?: { actions?: Array<{ title?: string }> } }).suggestedActions?.actions ?? []).map((x) => String(x.title));

export function menuTitles(lang: 'ar' | 'en'): string[] {
  return ['menu.renew', 'menu.tawasul', 'menu.status', 'menu.travelPermit', 'menu.passportUpdate', 'menu.faq', 'menu.agent', 'reminders:menuTitle', 'menu.toggle'].map((k) => t(lang, k));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type { Activity };
