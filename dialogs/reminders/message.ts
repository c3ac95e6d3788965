/**
 * The reminder itself, in the user's language: whose iqama (first name only), when (days left,
 * Arabic plural forms) and the expiry date in both calendars, with two buttons: start the
 * renewal (the menu's own title, so a tap routes exactly) and stop the reminders. WhatsApp
 * outside the 24-hour window sends the reminder template with the same three facts.
 */
import { ActionTypes, type CardAction } from 'botbuilder';
import type { ComposeReminder } from '../../adapters/reminders/types';
import type { Translate } from '../deps';
import { formatBothCalendars } from '../format/dates';

const button = (title: string): CardAction => ({ type: ActionTypes.ImBack, title, value: title });

export function reminderComposer(t: Translate): ComposeReminder {
  return (lang, { expiry, daysLeft }) => {
    const name = expiry.firstName[lang];
    const when = t(lang, 'reminders:when', { count: daysLeft });
    const date = formatBothCalendars(expiry.expiryDate, lang);
    const renew = t(lang, 'menu.renew');
    return {
      type: 'message',
      locale: lang === 'ar' ? 'ar-SA' : 'en-US',
      text: t(lang, 'reminders:due', { name, when, date, renew }),
      suggestedActions: { to: [], actions: [button(renew), button(t(lang, 'reminders:stopButton'))] },
      // The approved template's parameters ({{1}} name, {{2}} when, {{3}} date): see WHATSAPP_TEMPLATE_REMINDER.
      channelData: { template: { kind: 'reminder', params: [name, when, date] } },
    };
  };
}
