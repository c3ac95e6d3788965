/**
 * The gate (botbuilder middleware, inside the conversation lock, after language and
 * transcript): while a conversation is with an agent the bot does not run.
 *  - queued: the user's messages are relayed for the agent who will claim it; "cancel" leaves the queue;
 *  - held: messages are relayed, and nothing the bot sends gets out (proactive turns included):
 *    what a proactive turn meant to say is kept (hub.defer) and delivered when the agent lets go;
 *  - rating / comment: the satisfaction questions after the agent ended the chat;
 *  - protocol (external contact center): the bot stays quiet; handoff.status events move it on.
 */
import type { Activity, Attachment, Middleware, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { Translate } from '../../bot/i18n';
import { conversationKeyOf } from '../../bot/middleware/turnLock';
import { type AgentHub, type ConversationRecord, HANDOFF_MARK } from './hub';
import type { HandoffLang } from './types';

/** Loose matching for short replies: no diacritics, one alef, Arabic-Indic digits as ASCII. */
export function simplify(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u064B-\u065F\u0670\u0640]/g, '')
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ة/g, 'ه')
    .replace(/ى/g, 'ي')
    .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

const CANCEL_WORDS = new Set(['الغاء', 'الغ', 'الغاء الانتظار', 'cancel', 'stop', 'cancel waiting', 'leave the queue']);
const SKIP_WORDS = new Set(['تخطي', 'تخطى', 'لا', 'لا شكرا', 'skip', 'no', 'no thanks']);
const NUMBER_WORDS: Record<string, number> = {
  واحد: 1, وحده: 1, one: 1,
  اثنين: 2, اثنان: 2, ثنين: 2, two: 2,
  ثلاثه: 3, ثلاث: 3, three: 3,
  اربعه: 4, اربع: 4, four: 4,
  خمسه: 5, خمس: 5, five: 5,
};

/** 1–5 from "4", "٤", "4 ⭐", "أربعة", "five"; undefined otherwise. */
export function parseRating(text: string): number | undefined {
  const s = simplify(text);
  if (!s || s.length > 16) return undefined;
  const digits = /^([1-5])(?:\s*(?:من|of|\/)\s*5)?$/.exec(s);
  if (digits) return Number(digits[1]);
  return NUMBER_WORDS[s];
}

const langOf = (context: TurnContext): HandoffLang => ((context.activity.locale ?? '').toLowerCase().startsWith('en') ? 'en' : 'ar');

/**
 * While an agent holds the chat, only agent and hub messages go out (and anything not a
 * message). `hold` receives the bot messages kept out, so that they can be delivered later.
 */
function guardBotReplies(context: TurnContext, hold?: (blocked: Array<Partial<Activity>>) => Promise<void>): void {
  context.onSendActivities(async (_ctx, activities, next) => {
    const isAllowed = (a: Partial<Activity>) => a.type !== 'message' || Boolean((a.channelData as Record<string, unknown> | undefined)?.[HANDOFF_MARK]);
    const allowed = activities.filter(isAllowed);
    if (allowed.length === activities.length) return next();
    // Awaited: the sender (e.g. the notifier) counts the message delivered only once it is kept.
    if (hold) await hold(activities.filter((a) => !isAllowed(a)));
    activities.splice(0, activities.length, ...allowed);
    if (allowed.length > 0) return next();
    return [];
  });
}

const RECORD = Symbol('musaed.handoffRecord');

/**
 * Reads the conversation's handoff record at the start of the turn, alongside the state
 * reads (bot/middleware/turnStart.ts), so the gate does not cost a round trip of its own.
 */
export function prefetchHandoffRecord(hub: AgentHub): (context: TurnContext) => Promise<unknown> {
  return (context) => {
    const record = hub.get(conversationKeyOf(context));
    context.turnState.set(RECORD, record);
    return record;
  };
}

/** The prefetched record (used once), or a fresh read when nothing was prefetched. */
function recordOf(context: TurnContext, hub: AgentHub, key: string): Promise<ConversationRecord | undefined> {
  const prefetched = context.turnState.get(RECORD) as Promise<ConversationRecord | undefined> | undefined;
  if (!prefetched) return hub.get(key);
  context.turnState.delete(RECORD);
  return prefetched;
}

export interface GateDeps {
  hub: AgentHub;
  t: Translate;
  logger: Logger;
  /** A message asking for deletion on request (the bot handles it even while queued). */
  isErasureRequest?: (text: string) => boolean;
}

export function handoffGate(deps: GateDeps): Middleware {
  const { hub, t } = deps;
  const mark = { [HANDOFF_MARK]: 'system' };

  const say = (context: TurnContext, text: string, actions?: ReturnType<AgentHub['tawasulActions']>) =>
    context.sendActivity({ type: 'message', text, ...(actions?.length ? { suggestedActions: { to: [], actions } } : {}), channelData: mark });

  async function onProtocolStatus(context: TurnContext, record: ConversationRecord | undefined): Promise<void> {
    const value = (context.activity.value ?? {}) as { state?: string; message?: string };
    if (!record || (record.status !== 'protocol' && record.status !== 'protocolHeld')) return;
    const lang = record.lang;
    switch (value.state) {
      case 'accepted':
        await hub.setStatus(record.key, 'protocolHeld');
        await say(context, t(lang, 'handoff:protocol.accepted'));
        return;
      case 'failed':
        await hub.clear(record.key);
        await sendHeldBack(context, record.key);
        await say(context, t(lang, 'handoff:protocol.failed'), hub.tawasulActions(lang));
        return;
      case 'completed':
        await hub.setStatus(record.key, 'rating', { endedAt: String(Date.now()) });
        await sendHeldBack(context, record.key);
        await say(
          context,
          t(lang, 'handoff:endedExternal') + '\n' + t(lang, 'handoff:rating.ask'),
          ['5', '4', '3', '2', '1', t(lang, 'handoff:rating.skip')].map((n) => hub.button(n)),
        );
        return;
    }
  }

  /** Inside the conversation's own turn: what was held back goes out in this turn. */
  async function sendHeldBack(context: TurnContext, key: string): Promise<void> {
    const held = await hub.takeDeferred(key);
    if (held.length) await context.sendActivities(held);
  }

  async function onRating(context: TurnContext, record: ConversationRecord, next: () => Promise<void>): Promise<void> {
    const lang = langOf(context);
    const text = context.activity.text ?? '';
    const s = simplify(text);
    if (SKIP_WORDS.has(s) || s === simplify(t(lang, 'handoff:rating.skip'))) {
      await hub.clear(record.key);
      await say(context, t(lang, 'handoff:rating.thanksNoScore') + '\n' + t(lang, 'menu.anythingElse'));
      return;
    }
    const score = parseRating(text);
    if (score === undefined) {
      if (/^\d+$/.test(s)) {
        await say(context, t(lang, 'handoff:rating.retry'), ['5', '4', '3', '2', '1'].map((n) => hub.button(n)));
        return;
      }
      // Not an answer to the rating: the user moved on, so the bot takes the message.
      await hub.clear(record.key);
      await next();
      return;
    }
    await hub.setStatus(record.key, 'comment', { score: String(score) });
    await say(context, t(lang, 'handoff:rating.askComment'), [hub.button(t(lang, 'handoff:rating.skip'))]);
  }

  async function onComment(context: TurnContext, record: ConversationRecord): Promise<void> {
    const lang = langOf(context);
    const text = (context.activity.text ?? '').trim();
    const s = simplify(text);
    const skipped = !text || SKIP_WORDS.has(s) || s === simplify(t(lang, 'handoff:rating.skip'));
    await hub.saveRating(record.key, record, record.score ?? 0, skipped ? undefined : text);
    await hub.clear(record.key);
    await say(context, t(lang, 'handoff:rating.thanks') + '\n' + t(lang, 'menu.anythingElse'));
  }

  return {
    async onTurn(context, next) {
      const activity = context.activity;
      const key = conversationKeyOf(context);
      const record = await recordOf(context, hub, key);
      if (activity.type === 'event' && activity.name === 'handoff.status') {
        await onProtocolStatus(context, record);
        return;
      }
      if (!record) return next();
      const held = record.status === 'held' || record.status === 'protocolHeld';
      if (activity.type !== 'message') {
        // Proactive turns (ContinueConversation) and channel events: no bot chatter while held;
        // what the bot meant to say is kept and delivered when the agent lets go.
        if (held) guardBotReplies(context, (blocked) => hub.defer(key, blocked));
        return next();
      }
      switch (record.status) {
        case 'queued': {
          // "delete my data" is for the bot, not the agent: leave the queue and let the bot ask.
          if (deps.isErasureRequest?.(activity.text ?? '')) {
            await hub.leaveQueue(key);
            return next();
          }
          const lang = langOf(context);
          const s = simplify(activity.text ?? '');
          if (CANCEL_WORDS.has(s) || s === simplify(t(lang, 'handoff:cancelWaiting'))) {
            if (await hub.leaveQueue(key)) {
              await say(context, t(lang, 'handoff:left') + '\n' + t(lang, 'menu.anythingElse'));
              return;
            }
            // An agent claimed it a moment ago: the message goes to them.
          }
          await relay(activity);
          const current = await hub.get(key);
          if (current?.status === 'queued') {
            const { position, waitMinutes } = await hub.placement(key);
            await say(context, t(lang, 'handoff:stillWaiting', { position, minutes: hub.minutes(lang, waitMinutes) }), [hub.button(t(lang, 'handoff:cancelWaiting'))]);
          }
          return;
        }
        case 'held':
          guardBotReplies(context);
          await relay(activity);
          return;
        case 'protocol':
        case 'protocolHeld':
          // The external contact center has the conversation; the bot stays out of it.
          guardBotReplies(context);
          return;
        case 'rating':
          return onRating(context, record, next);
        case 'comment':
          return onComment(context, record);
        default:
          return next();
      }

      async function relay(a: Partial<Activity>): Promise<void> {
        const attachments = (a.attachments ?? []).map((x: Attachment) => ({ contentType: x.contentType, contentUrl: x.contentUrl, name: x.name }) as Attachment);
        await hub.relayFromUser(key, a.text ?? '', attachments);
      }
    },
  };
}
