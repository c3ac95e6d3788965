/**
 * What a Direct Line client may post, and how it becomes the stored echo (what every client
 * of the conversation sees) and the activity the bot receives. The server decides who the
 * sender is, which conversation and channel it belongs to and when it happened; everything
 * else the client sent (text, locale, value, channelData with clientActivityID, inline
 * attachments) passes through unchanged.
 */
import type { Activity, Attachment } from 'botbuilder';
import { z } from 'zod';
import { CONTINUATION_MARK, CONVERSATION_LOST_MARK } from '../../bot/bot';

export const DIRECTLINE_CHANNEL_ID = 'musaed.webchat';
export const BOT_ACCOUNT = { id: 'musaed', name: 'Musaed', role: 'bot' } as const;

/** Types a user may send; conversationUpdate, invoke and the like are the channel's or the bot's. */
const USER_TYPES = ['message', 'event', 'typing', 'messageReaction'] as const;

const InlineAttachment = z
  .object({
    contentType: z.string().min(1).max(256),
    // A link would make the bot fetch whatever the client names: files go through /upload.
    contentUrl: z.undefined({ error: 'attachments with a contentUrl must be sent through /upload' }).optional(),
    name: z.string().max(256).optional(),
  })
  .loose();

export const ClientActivity = z
  .object({
    type: z.enum(USER_TYPES, { error: `type must be one of ${USER_TYPES.join(', ')}` }),
    text: z.string().max(100_000).optional(),
    locale: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 language tag').optional(),
    from: z.object({ id: z.string().max(128).optional(), name: z.string().max(256).optional() }).loose().optional(),
    attachments: z.array(InlineAttachment).max(20).optional(),
    channelData: z.record(z.string(), z.unknown()).optional(),
    name: z.string().max(256).optional(),
    value: z.unknown().optional(),
  })
  .loose();

export type ClientActivity = z.infer<typeof ClientActivity>;

export function activityProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join('.') || 'activity'}: ${issue?.message ?? 'invalid'}`;
}

/** Fields only the server sets. */
const SERVER_FIELDS = ['id', 'serviceUrl', 'channelId', 'conversation', 'recipient', 'timestamp', 'deliveryMode', 'callerId', 'replyToId'] as const;

/** The stored echo of a user's activity (no id yet: the store gives it one). */
export function echoOf(
  posted: ClientActivity,
  ids: { conv: string; user: string; locale?: string; attachments?: Attachment[] },
): Partial<Activity> {
  const copy: Record<string, unknown> = { ...posted };
  for (const f of SERVER_FIELDS) delete copy[f];
  // The lost-conversation marks are the channel's word, never the client's (bot/bot.ts).
  if (posted.channelData && (CONTINUATION_MARK in posted.channelData || CONVERSATION_LOST_MARK in posted.channelData)) {
    const { [CONTINUATION_MARK]: _continuation, [CONVERSATION_LOST_MARK]: _lost, ...channelData } = posted.channelData;
    copy.channelData = channelData;
  }
  const name = typeof posted.from?.name === 'string' ? posted.from.name : undefined;
  return {
    ...(copy as Partial<Activity>),
    channelId: DIRECTLINE_CHANNEL_ID,
    conversation: { id: ids.conv, isGroup: false, conversationType: 'personal', name: '' },
    from: { id: ids.user, name: name ?? '', role: 'user' },
    recipient: { ...BOT_ACCOUNT },
    timestamp: new Date(),
    ...(posted.locale ?? ids.locale ? { locale: posted.locale ?? ids.locale } : {}),
    ...(ids.attachments ? { attachments: ids.attachments } : {}),
  };
}

/** The echo as the bot receives it: with its id and the loopback connector it replies to. */
export function inboundOf(echo: Partial<Activity>, id: string, serviceUrl: string, attachments?: Attachment[]): Partial<Activity> {
  return { ...echo, id, serviceUrl, ...(attachments ? { attachments } : {}) };
}

/** A reply from the bot as clients see it: stamped, and without the internal connector address or delivery key. */
export function outboundOf(activity: Partial<Activity>, conv: string): Partial<Activity> {
  const { serviceUrl: _internal, id: _id, channelData, ...rest } = activity;
  const { deliveryKey: _key, ...data } = (channelData ?? {}) as Record<string, unknown>;
  return {
    ...rest,
    ...(Object.keys(data).length > 0 ? { channelData: data } : {}),
    channelId: DIRECTLINE_CHANNEL_ID,
    conversation: { id: conv, isGroup: false, conversationType: 'personal', name: '' },
    from: activity.from?.id ? { ...activity.from, role: 'bot' } : { ...BOT_ACCOUNT },
    timestamp: new Date(),
  };
}

/** The bot is told a user joined, as Azure's Direct Line does on conversation start, so it welcomes them. */
export function conversationUpdateOf(conv: string, user: string, serviceUrl: string, locale: string | undefined): Partial<Activity> {
  return {
    type: 'conversationUpdate',
    id: `${conv}|start`,
    channelId: DIRECTLINE_CHANNEL_ID,
    serviceUrl,
    timestamp: new Date(),
    conversation: { id: conv, isGroup: false, conversationType: 'personal', name: '' },
    from: { id: user, name: '', role: 'user' },
    recipient: { ...BOT_ACCOUNT },
    membersAdded: [{ ...BOT_ACCOUNT }, { id: user, name: '' }],
    ...(locale ? { locale } : {}),
  };
}
