/**
 * The webhook payload Meta posts (object "whatsapp_business_account"), validated with zod one
 * entry, change, contact, message and status at a time: what cannot be handled is skipped and
 * counted, never a reason to refuse the whole delivery (a 4xx makes Meta retry the batch, and
 * every other message in it, for days). Unknown message types and fields pass through (loose
 * objects) so a new Meta feature is answered politely instead of rejected.
 */
import { z } from 'zod';

const media = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
});

/** A sender's phone number as the channel keys and answers it (wa_id / from). */
export const PHONE = /^\d{5,20}$/;

export const InboundMessage = z.looseObject({
  /**
   * The sender's number. Meta omits it for a user who adopted a username and has not shared
   * the number with this business (the business-scoped `from_user_id` comes instead).
   */
  from: z.string().regex(PHONE).optional(),
  from_user_id: z.string().optional(),
  id: z.string().min(1).max(256),
  timestamp: z.string().optional(),
  type: z.string(),
  text: z.looseObject({ body: z.string() }).optional(),
  interactive: z
    .looseObject({
      type: z.string(),
      button_reply: z.looseObject({ id: z.string(), title: z.string().optional() }).optional(),
      list_reply: z.looseObject({ id: z.string(), title: z.string().optional(), description: z.string().optional() }).optional(),
    })
    .optional(),
  button: z.looseObject({ payload: z.string().optional(), text: z.string().optional() }).optional(),
  image: media.optional(),
  document: media.optional(),
  audio: media.optional(),
  video: media.optional(),
  location: z
    .looseObject({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
  context: z.looseObject({ id: z.string().optional(), from: z.string().optional() }).optional(),
});
export type InboundMessage = z.infer<typeof InboundMessage>;
/** A message the channel can answer: one with the sender's number. */
export type AnswerableMessage = InboundMessage & { from: string };

export const StatusUpdate = z.looseObject({
  id: z.string(),
  status: z.string(),
  recipient_id: z.string().optional(),
  timestamp: z.string().optional(),
  errors: z.array(z.looseObject({ code: z.number().optional(), title: z.string().optional() })).optional(),
});
export type StatusUpdate = z.infer<typeof StatusUpdate>;

/** Meta's error objects (value-level `errors`, a status's or an unsupported message's). */
const GraphErrorInfo = z.looseObject({ code: z.number().optional(), title: z.string().optional() });

/** A contact: `wa_id` is absent for a username-only user (`user_id`, the business-scoped id, instead). */
const Contact = z.looseObject({
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
});

const Value = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z.looseObject({ phone_number_id: z.string().optional() }).optional(),
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});

const Change = z.looseObject({ field: z.string(), value: z.unknown() });
const Entry = z.looseObject({ id: z.string().optional(), changes: z.array(z.unknown()) });

/** The envelope only: each entry is validated on its own (eventsOf). */
export const WebhookPayload = z.looseObject({
  object: z.string(),
  entry: z.array(z.unknown()),
});

/** Why parts of a webhook were skipped, by kind (counts only: no ids, numbers or text). */
export interface Skipped {
  /** Entries, changes, contacts, messages or statuses that do not have Meta's documented shape. */
  invalid: number;
  /** Messages without the sender's number (username-only users): nothing to answer them on. */
  noPhone: number;
}

export interface WebhookEvents {
  messages: Array<{ message: AnswerableMessage; profileName?: string }>;
  statuses: StatusUpdate[];
  /** Value-level errors Meta reports (an app or account problem, not one message's). */
  errors: Array<{ code?: number; title?: string }>;
  skipped: Skipped;
}

/** Flattens a webhook into messages (with the sender's profile name), status updates and errors. */
export function eventsOf(payload: z.infer<typeof WebhookPayload>, phoneNumberId: string): WebhookEvents {
  const events: WebhookEvents = { messages: [], statuses: [], errors: [], skipped: { invalid: 0, noPhone: 0 } };
  const { skipped } = events;
  for (const rawEntry of payload.entry) {
    const entry = Entry.safeParse(rawEntry);
    if (!entry.success) {
      skipped.invalid++;
      continue;
    }
    for (const rawChange of entry.data.changes) {
      const change = Change.safeParse(rawChange);
      if (!change.success) {
        skipped.invalid++;
        continue;
      }
      if (change.data.field !== 'messages') continue;
      const parsedValue = Value.safeParse(change.data.value);
      if (!parsedValue.success) {
        skipped.invalid++;
        continue;
      }
      const value = parsedValue.data;
      // A business account can have several numbers; answer only for ours.
      const target = value.metadata?.phone_number_id;
      if (target && target !== phoneNumberId) continue;
      const names = new Map<string, string | undefined>();
      for (const raw of value.contacts ?? []) {
        const contact = Contact.safeParse(raw);
        if (contact.success && contact.data.wa_id) names.set(contact.data.wa_id, contact.data.profile?.name);
        // A contact without wa_id names a user whose number we do not get: nothing to look up.
      }
      for (const raw of value.messages ?? []) {
        const parsed = InboundMessage.safeParse(raw);
        if (!parsed.success) skipped.invalid++;
        else if (!parsed.data.from) skipped.noPhone++;
        else events.messages.push({ message: parsed.data as AnswerableMessage, profileName: names.get(parsed.data.from) });
      }
      for (const raw of value.statuses ?? []) {
        const parsed = StatusUpdate.safeParse(raw);
        if (parsed.success) events.statuses.push(parsed.data);
        else skipped.invalid++;
      }
      for (const raw of value.errors ?? []) {
        const parsed = GraphErrorInfo.safeParse(raw);
        events.errors.push(parsed.success ? { code: parsed.data.code, title: parsed.data.title } : {});
      }
    }
  }
  return events;
}
