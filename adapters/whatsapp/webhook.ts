/**
 * The webhook payload Meta posts (object "whatsapp_business_account"), validated with zod.
 * Unknown message types and fields pass through (loose objects) so a new Meta feature is
 * answered politely instead of rejected.
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

export const InboundMessage = z.looseObject({
  from: z.string().regex(/^\d{5,20}$/),
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

export const StatusUpdate = z.looseObject({
  id: z.string(),
  status: z.string(),
  recipient_id: z.string().optional(),
  timestamp: z.string().optional(),
  errors: z.array(z.looseObject({ code: z.number().optional(), title: z.string().optional() })).optional(),
});
export type StatusUpdate = z.infer<typeof StatusUpdate>;

const Contact = z.looseObject({ wa_id: z.string(), profile: z.looseObject({ name: z.string().optional() }).optional() });

export const WebhookPayload = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(
        z.looseObject({
          field: z.string(),
          value: z.looseObject({
            messaging_product: z.string().optional(),
            metadata: z.looseObject({ phone_number_id: z.string().optional() }).optional(),
            contacts: z.array(Contact).optional(),
            messages: z.array(z.unknown()).optional(),
            statuses: z.array(z.unknown()).optional(),
          }),
        }),
      ),
    }),
  ),
});

export interface WebhookEvents {
  messages: Array<{ message: InboundMessage; profileName?: string }>;
  statuses: StatusUpdate[];
  /** Entries that did not validate (logged, not processed). */
  invalid: number;
}

/** Flattens a webhook into messages (with the sender's profile name) and status updates. */
export function eventsOf(payload: z.infer<typeof WebhookPayload>, phoneNumberId: string): WebhookEvents {
  const events: WebhookEvents = { messages: [], statuses: [], invalid: 0 };
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      const value = change.value;
      // A business account can have several numbers; answer only for ours.
      const target = value.metadata?.phone_number_id;
      if (target && target !== phoneNumberId) continue;
      const names = new Map((value.contacts ?? []).map((c) => [c.wa_id, c.profile?.name]));
      for (const raw of value.messages ?? []) {
        const parsed = InboundMessage.safeParse(raw);
        if (parsed.success) events.messages.push({ message: parsed.data, profileName: names.get(parsed.data.from) });
        else events.invalid++;
      }
      for (const raw of value.statuses ?? []) {
        const parsed = StatusUpdate.safeParse(raw);
        if (parsed.success) events.statuses.push(parsed.data);
        else events.invalid++;
      }
    }
  }
  return events;
}
