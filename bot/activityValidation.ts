/**
 * The shape an inbound activity must have before it reaches the adapter: anything else is
 * answered 400 with a short reason, never a 500.
 */
import { z } from 'zod';

const Account = z.object({ id: z.string().min(1).max(512) }).loose();

export const InboundActivity = z
  .object({
    type: z.string().min(1).max(64),
    id: z.string().max(512).optional(),
    channelId: z.string().min(1).max(128),
    serviceUrl: z.string().max(2048).optional(),
    conversation: Account,
    from: Account,
    recipient: Account.optional(),
    text: z.string().optional(),
    locale: z.string().max(32).optional(),
    deliveryMode: z.string().max(32).optional(),
    attachments: z.array(z.object({ contentType: z.string().max(256) }).loose()).max(20).optional(),
    // The SDK calls .filter/.length on these: anything but an array of accounts would throw mid-turn.
    membersAdded: z.array(Account).max(100).optional(),
    membersRemoved: z.array(Account).max(100).optional(),
  })
  .loose()
  .refine((a) => a.deliveryMode === 'expectReplies' || typeof a.serviceUrl === 'string', {
    message: 'serviceUrl is required unless deliveryMode is expectReplies',
    path: ['serviceUrl'],
  });

export function activityProblem(body: unknown): string | undefined {
  const parsed = InboundActivity.safeParse(body);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `${issue?.path.join('.') || 'activity'}: ${issue?.message ?? 'invalid'}`;
}
