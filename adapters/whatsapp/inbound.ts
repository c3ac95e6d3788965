/**
 * One WhatsApp message → one Bot Framework message activity. Button and list replies carry
 * the choice's value in their id (see render.ts), so they arrive as that text; a number that
 * answers a numbered menu ("2", "٢") arrives as the value it stands for.
 */
import type { Activity, Attachment } from 'botbuilder';
import { toAsciiDigits } from './text';
import type { InboundMessage } from './webhook';
import { safeFileName } from '../../bot/fileName';
import { CONTINUATION_MARK } from '../../bot/bot';

export const WHATSAPP_CHANNEL_ID = 'whatsapp';

/**
 * The activity id for a WhatsApp message id. A wamid is base64 of a record that starts with the
 * sender's number, so it is never used as it is: the id is its keyed hash (`hash`, the channel's
 * pseudonymizer), stable across redeliveries and processes. It is also short and URL-safe, as the
 * bot replies on a route with the id as a path segment (the router refuses one over 100 characters).
 */
export function activityIdOf(messageId: string, hash: (value: string) => string): string {
  return `wa.${hash(`wamid:${messageId}`)}`;
}
const MEDIA_TYPES = ['image', 'document', 'audio', 'video'] as const;

export interface InboundContext {
  serviceUrl: string;
  /**
   * The user's pseudonym (HMAC of the phone number): the conversation and user id the bot,
   * its state, transcript, lock and handoff records see. The number stays in the channel.
   */
  userId: string;
  botId: string;
  locale: string;
  profileName?: string;
  /** Values of the numbered menu the user was last shown, if any. */
  menu?: string[];
  /** The internal, signed URL that downloads a media id on demand. */
  mediaUrl(mediaId: string): string;
  /** The keyed hash (PII_HASH_SECRET) that stands for a message id: a wamid encodes the number. */
  hash(value: string): string;
  /** The localised word a file without a name of its own is named after («صورة», "voice-note"). */
  mediaWord(kind: MediaKind): string;
}

export type MediaKind = 'image' | 'voice' | 'audio' | 'video' | 'document';

/** Extensions for the media types WhatsApp carries (Meta's supported media list). */
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
};

/** "audio/ogg; codecs=opus" → "ogg"; an unknown type → no extension. */
export function extensionOf(mimeType: string | undefined): string | undefined {
  return EXTENSIONS[String(mimeType ?? '').split(';')[0]!.trim().toLowerCase()];
}

/**
 * The name of an attachment: the sender's file name when WhatsApp gives one (documents), else
 * the localised kind and a short id unique to the message («صورة-1a2b3c.jpg»), so Tawasul and
 * the agent console show what it is instead of «file».
 */
function mediaNameOf(kind: MediaKind, media: { filename?: string; mime_type?: string }, activityId: string, ctx: InboundContext): string {
  const ext = extensionOf(media.mime_type);
  const generated = `${ctx.mediaWord(kind).replace(/\s+/g, '-')}-${activityId.slice(-6)}${ext ? `.${ext}` : ''}`;
  return safeFileName(media.filename, safeFileName(generated, 'file'));
}

/**
 * What the channel does with a message: give the bot a turn, answer it itself (a type it
 * cannot read; a shared location, which no question here asks for and whose address must
 * never be read as an answer), or nothing (reactions, system notices).
 */
export type InboundResult =
  | { kind: 'activity'; activity: Partial<Activity>; answeredMenu: boolean }
  | { kind: 'unsupported' }
  | { kind: 'location' }
  | { kind: 'ignore' };

/** Types that get no answer: a reaction or a system notice (number changed) is not a request. */
const SILENT_TYPES = new Set(['reaction', 'system']);

/** "2", "٢", " 2. " → 2; anything else → undefined. */
export function menuNumber(text: string): number | undefined {
  const m = /^\s*(\d{1,3})\s*[.)-]?\s*$/.exec(toAsciiDigits(text));
  return m ? Number(m[1]) : undefined;
}

function textOf(message: InboundMessage): { text: string; value?: unknown } | undefined {
  switch (message.type) {
    case 'text':
      return message.text ? { text: message.text.body } : undefined;
    case 'interactive': {
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
      return reply ? { text: reply.id, value: { id: reply.id, title: reply.title } } : undefined;
    }
    case 'button': {
      // A template's quick reply: its visible text is what the user chose.
      const b = message.button;
      const text = b?.text ?? b?.payload;
      return text ? { text, value: { payload: b?.payload } } : undefined;
    }
    default:
      return undefined;
  }
}

export function toActivity(message: InboundMessage, ctx: InboundContext): InboundResult {
  if (SILENT_TYPES.has(message.type)) return { kind: 'ignore' };
  if (message.type === 'location') return { kind: 'location' };
  const id = activityIdOf(message.id, ctx.hash);
  const attachments: Attachment[] = [];
  let text: string | undefined;
  let value: unknown;
  const mediaType = MEDIA_TYPES.find((t) => t === message.type);
  if (mediaType) {
    const media = message[mediaType];
    if (!media) return { kind: 'unsupported' };
    attachments.push({
      contentType: media.mime_type ?? 'application/octet-stream',
      contentUrl: ctx.mediaUrl(media.id),
      name: mediaNameOf(mediaType === 'audio' && media.voice ? 'voice' : mediaType, media, id, ctx),
    });
    text = media.caption ?? '';
  } else {
    const mapped = textOf(message);
    if (!mapped) return { kind: 'unsupported' };
    text = mapped.text;
    value = mapped.value;
  }

  let answeredMenu = false;
  if (message.type === 'text' && ctx.menu) {
    const n = menuNumber(text);
    const chosen = n !== undefined ? ctx.menu[n - 1] : undefined;
    if (chosen !== undefined) {
      value = { menuNumber: n };
      text = chosen;
      answeredMenu = true;
    }
  }

  // Evidently the continuation of an exchange with the bot: a tap on its button or list row, a
  // number answering its numbered menu, a reply quoting one of its messages. Not a template's
  // quick reply: a template is sent when the conversation has been idle a day, and invites a
  // fresh start. The bot checks the mark against the conversation's saved state (bot/bot.ts).
  const continuation = message.type === 'interactive' || answeredMenu || (message.type !== 'button' && Boolean(message.context?.id));
  const timestamp = message.timestamp ? new Date(Number(message.timestamp) * 1000) : new Date();
  const activity: Partial<Activity> = {
    type: 'message',
    id,
    timestamp,
    channelId: WHATSAPP_CHANNEL_ID,
    serviceUrl: ctx.serviceUrl,
    from: { id: ctx.userId, name: ctx.profileName ?? '', role: 'user' },
    recipient: { id: ctx.botId, name: 'Musaed', role: 'bot' },
    conversation: { id: ctx.userId, isGroup: false, conversationType: 'personal', name: '' },
    text,
    locale: ctx.locale,
    ...(attachments.length ? { attachments } : {}),
    ...(value !== undefined ? { value } : {}),
    channelData: {
      whatsapp: { type: message.type, ...(message.context?.id ? { replyTo: activityIdOf(message.context.id, ctx.hash) } : {}) },
      ...(continuation ? { [CONTINUATION_MARK]: true } : {}),
    },
  };
  return { kind: 'activity', activity, answeredMenu };
}
