/**
 * Links to uploaded files are stored as paths (signed, no origin) and made absolute when an
 * activity is read, from the reader's own origin (PUBLIC_URL when set). An origin taken from
 * the uploader's Host header would otherwise be shown to every reader of the conversation.
 */
import type { Activity } from 'botbuilder';

export const FILE_PATH_PREFIX = '/v3/directline/conversations/';

/** The activities with their stored file paths turned into links on `origin`; others unchanged. */
export function withFileOrigin(activities: Array<Partial<Activity>>, origin: string): Array<Partial<Activity>> {
  return activities.map((activity) => {
    if (!activity.attachments?.some((a) => a.contentUrl?.startsWith(FILE_PATH_PREFIX))) return activity;
    return {
      ...activity,
      attachments: activity.attachments.map((a) => (a.contentUrl?.startsWith(FILE_PATH_PREFIX) ? { ...a, contentUrl: `${origin}${a.contentUrl}` } : a)),
    };
  });
}
