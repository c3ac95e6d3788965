/**
 * The feature dialogs the main dialog can start. Each feature adds its factory here; one
 * that is not listed is answered "not available yet" by the router.
 */
import type { Dialog } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder';
import type { CoreDeps } from './deps';
import type { HandoffHub } from '../adapters/handoff/types';
import type { ServicesApi } from '../adapters/services/types';
import type { TicketWatch } from '../adapters/notify';
import type { Reminders } from '../adapters/reminders/types';
import type { AttachmentReader } from './tawasul/attachments';
import type { RedisConnection } from '../bot/storage/redisClient';
import { handoffDialogFactory } from './handoffDialog';
import { faqDialogFactory } from './faqDialog';
import { statusLookupDialogFactory } from './statusLookupDialog';
import { iqamaRenewalDialogFactory } from './iqamaRenewalDialog';
import { tawasulDialogFactory } from './tawasulDialog';
import { tawasulTrackDialogFactory } from './tawasul/trackDialog';
import { deleteDataDialogFactory } from './deleteDataDialog';
import { remindersDialogFactory, stopRemindersDialogFactory } from './remindersDialog';
import { travelPermitDialogFactory } from './family/travelPermitDialog';
import { passportUpdateDialogFactory } from './family/passportUpdateDialog';

/** Everything a feature dialog may need; bot/app.ts builds it. Features add fields here. */
export interface FeatureDeps extends CoreDeps {
  handoff?: HandoffHub;
  /** The services API client (the bot's tools). */
  services?: ServicesApi;
  /** Shared Redis connection (ioredis-mock in memory mode) and key prefix, e.g. for rate limits. */
  redis?: RedisConnection;
  redisPrefix?: string;
  /** Keeps a new Tawasul ticket's conversation to tell it of status changes (adapters/notify). */
  ticketWatch?: TicketWatch;
  /** Iqama expiry reminders of this conversation (adapters/reminders). */
  reminders?: Reminders;
  /** Deletes every key of this turn's user and conversation; nothing is saved after it (bot/app.ts). */
  eraseData?: (context: TurnContext) => Promise<void>;
  /** Reads Tawasul attachments only from each channel's own store (bot/attachmentSource.ts). */
  attachments?: AttachmentReader;
}

export type DialogFactory = (deps: FeatureDeps) => Dialog;

export const FEATURE_DIALOGS: DialogFactory[] = [
  handoffDialogFactory,
  faqDialogFactory,
  statusLookupDialogFactory,
  iqamaRenewalDialogFactory,
  tawasulDialogFactory,
  tawasulTrackDialogFactory,
  deleteDataDialogFactory,
  remindersDialogFactory,
  stopRemindersDialogFactory,
  travelPermitDialogFactory,
  passportUpdateDialogFactory,
];

export function createFeatureDialogs(deps: FeatureDeps, factories: DialogFactory[] = FEATURE_DIALOGS): Dialog[] {
  return factories.map((f) => f(deps));
}
