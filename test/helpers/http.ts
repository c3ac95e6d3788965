/** Posting activities to /api/messages the way a channel with expectReplies does. */
import type { Activity } from 'botbuilder';

let seq = 0;

export interface SayOptions {
  locale?: string;
  channelId?: string;
  userId?: string;
  extra?: Record<string, unknown>;
}

export async function postActivity(baseUrl: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

export function messageActivity(conversationId: string, text: string, options: SayOptions = {}): Partial<Activity> {
  return {
    type: 'message',
    id: `m${++seq}`,
    timestamp: new Date(),
    channelId: options.channelId ?? 'emulator',
    serviceUrl: 'http://127.0.0.1:9/',
    deliveryMode: 'expectReplies',
    from: { id: options.userId ?? `u-${conversationId}`, name: 'tester', role: 'user' },
    recipient: { id: 'bot', name: 'bot', role: 'bot' },
    conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
    text,
    locale: options.locale ?? 'ar-SA',
    ...options.extra,
  };
}

/** Sends one message and returns the bot's replies. */
export async function say(baseUrl: string, conversationId: string, text: string, options: SayOptions = {}): Promise<Partial<Activity>[]> {
  const { status, json } = await postActivity(baseUrl, messageActivity(conversationId, text, options));
  if (status !== 200) throw new Error(`HTTP ${status}: ${JSON.stringify(json)}`);
  return ((json as { activities?: Partial<Activity>[] })?.activities ?? []).filter((a) => a.type === 'message');
}

export const texts = (replies: Partial<Activity>[]): string[] => replies.map((r) => r.text ?? '');
export const buttons = (replies: Partial<Activity>[]): string[] =>
  replies.flatMap((r) => (r.suggestedActions?.actions ?? []).map((a) => String(a.title)));
