/**
 * One lane of the conversation suite: the full app (restify, CloudAdapter, middleware, every
 * feature dialog, the trained recognizer) on real Redis, against a simulator of its own, so a
 * lane can reset the demo data before each conversation without disturbing the other lanes.
 */
import type { Activity } from 'botbuilder';
import { createSimClock, createSimulator, type Simulator } from '../../sim';
import { createServicesClient } from '../../adapters/services';
import { startApp } from '../helpers/app';
import { say } from '../helpers/http';
import type { App } from '../../bot/app';
import type { Recognizer } from '../../dialogs/understanding/types';
import { presentationProblems } from '../../dialogs/format/outgoing';

export const SUITE_DB = 10;
export const OTP = '246810';
const API_KEY = 'conversations-key';

export interface Lane {
  sim: Simulator;
  app: App & { baseUrl: string };
  /** Sends one message; returns every reply as text (card facts flattened) and the buttons offered. */
  say(conversationId: string, text: string, locale: string): Promise<{ text: string; buttons: string[]; problems: string[] }>;
  close(): Promise<void>;
}

export async function startLane(recognizer: Recognizer, redisPrefix: string): Promise<Lane> {
  // Bills count as paid as soon as they are issued: the suite is about understanding, not the bank.
  const sim = createSimulator({ clock: createSimClock({ start: new Date(), frozen: true }), otpCode: OTP, apiKey: API_KEY, admin: true, autoPayBillsAfterMs: 0, challengesPerWindow: 1000 });
  const { url } = await sim.start();
  const services = createServicesClient({ baseUrl: url, apiKey: API_KEY, timeoutMs: 5000 });
  const app = await startApp({ REDIS_URL: `redis://127.0.0.1:6379/${SUITE_DB}`, REDIS_KEY_PREFIX: redisPrefix }, { recognizer, channels: [() => ({ services })] });
  return {
    sim,
    app,
    async say(conversationId, text, locale) {
      const replies = await say(app.baseUrl, conversationId, text, { locale, userId: `user-${conversationId}` });
      return { text: replies.map(replyText).filter(Boolean).join('\n'), buttons: replies.flatMap(buttonTitles), problems: replies.flatMap(presentationProblems) };
    },
    async close() {
      await app.close();
      await sim.stop();
    },
  };
}

function buttonTitles(r: Partial<Activity>): string[] {
  const suggested = (r.suggestedActions?.actions ?? []).map((a) => String(a.title));
  const card = (r.attachments ?? []).flatMap((a) => ((a.content as { actions?: Array<{ title?: string }> } | undefined)?.actions ?? []).map((x) => String(x.title ?? '')));
  return [...suggested, ...card];
}

function replyText(r: Partial<Activity>): string {
  const cards = (r.attachments ?? []).map((a) => cardText(a.content));
  return [r.text ?? '', ...cards].filter(Boolean).join('\n');
}

function cardText(content: unknown): string {
  type Block = { type: string; text?: string; facts?: Array<{ title: string; value: string }>; items?: Block[]; columns?: Array<{ items?: Block[] }> };
  const walk = (blocks: Block[] = []): string[] =>
    blocks.flatMap((b) => [
      ...(b.type === 'FactSet' ? (b.facts ?? []).map((f) => `${f.title}: ${f.value}`) : b.text ? [b.text] : []),
      ...walk(b.items),
      ...(b.columns ?? []).flatMap((c) => walk(c.items)),
    ]);
  const c = content as { body?: Block[]; text?: string; title?: string } | undefined;
  return [c?.title ?? '', c?.text ?? '', ...walk(c?.body)].filter(Boolean).join('\n');
}
