/**
 * The consented lookup behind iqama expiry reminders. At opt-in the bot, with the user's
 * token, registers a consent (`POST /v1/me/reminder-consents`); later the reminder scheduler
 * reads, with the bot's service key and for that consent id only, the first names and iqama
 * expiry dates of the user's dependents (`GET /v1/reminder-consents/:id/expiries`). Either
 * side revokes it (`DELETE /v1/reminder-consents/:id`). The bot keeps no token between turns.
 */
import { z } from 'zod';
import { BilingualSchema, IsoDateSchema, RelationshipSchema } from './types';

export const ReminderConsentSchema = z.object({
  consentId: z.string().min(8),
  /** Dependents who hold an iqama (the ones reminders are about). */
  dependentsWithIqama: z.number().int().nonnegative(),
});
export type ReminderConsent = z.infer<typeof ReminderConsentSchema>;

export const ReminderExpirySchema = z.object({
  /** Opaque and stable, as in /v1/me/dependents. */
  dependentId: z.string().min(1),
  /** First name only: all a reminder needs to say whom it is about. */
  firstName: BilingualSchema,
  relationship: RelationshipSchema,
  expiryDate: IsoDateSchema,
});
export type ReminderExpiry = z.infer<typeof ReminderExpirySchema>;

export const ReminderExpiriesSchema = z.object({
  consentId: z.string(),
  /** The API's clock: the scheduler's time source (days left and quiet hours). */
  now: z.string(),
  /** The API's calendar day in Riyadh, yyyy-mm-dd. */
  today: IsoDateSchema,
  expiries: z.array(ReminderExpirySchema),
});
export type ReminderExpiries = z.infer<typeof ReminderExpiriesSchema>;

export interface ReminderConsentApi {
  /** With the user's token. No dependent with an iqama → validation/no_iqama_dependents. */
  createReminderConsent(token: string, idempotencyKey: string): Promise<ReminderConsent>;
  /** With the service key. A revoked or unknown consent → not_found. */
  getReminderExpiries(consentId: string): Promise<ReminderExpiries>;
  /** With the service key; revoking an unknown or revoked consent is not an error. */
  revokeReminderConsent(consentId: string): Promise<void>;
}
