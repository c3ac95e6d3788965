/**
 * Tawasul tickets in plain language: the list of a person's tickets and one ticket with its
 * status explained, the department's notes and its history, dates in both calendars
 * (dialogs/format/dates.ts). Pure functions of the services' data, in the turn's language.
 */
import type { Ticket, TicketSummary } from '../../adapters/services/types';
import type { Translate } from '../deps';
import { formatBothCalendars, formatTime } from '../format/dates';
import type { Lang } from '../understanding/normalize';

export const TRACK_NS = 'tawasulTrack:';
const NS = TRACK_NS;
/** A long description is cut here in the detail (the person wrote it; they need a reminder, not all of it). */
const DESCRIPTION_SHOWN = 300;

const join = (lang: Lang, items: string[]) => items.join(lang === 'ar' ? '، ' : ', ');

/** A history entry's moment: the day in both calendars and the Riyadh time (entries often share a day). */
function moment(t: Translate, lang: Lang, iso: string): string {
  return t(lang, `${NS}moment`, { date: formatBothCalendars(iso, lang), time: formatTime(iso, lang) });
}

/** One line per ticket, numbered so a typed "2" or "الثاني" picks it. */
export function formatTicketList(t: Translate, lang: Lang, tickets: TicketSummary[]): string {
  const lines = tickets.map((x, i) =>
    t(lang, `${NS}line`, {
      n: i + 1,
      number: x.number,
      type: x.transactionTypeLabel[lang],
      status: x.statusLabel[lang],
      date: formatBothCalendars(x.updatedAt, lang),
    }),
  );
  return [t(lang, `${NS}intro`), ...lines].join('\n');
}

/** A ticket: what and when, the status explained with the department's note, the history, the description. */
export function formatTicket(t: Translate, lang: Lang, ticket: Ticket): string {
  const lines = [
    t(lang, `${NS}title`, { number: ticket.number }),
    t(lang, `${NS}type`, { type: ticket.transactionTypeLabel[lang], section: ticket.sectionLabel[lang] }),
    t(lang, `${NS}submitted`, { date: formatBothCalendars(ticket.createdAt, lang) }),
    t(lang, `${NS}status`, { status: ticket.statusLabel[lang] }),
    t(lang, `${NS}explain.${ticket.status}`, { number: ticket.number }),
  ];
  if (ticket.reason) lines.push(t(lang, `${NS}note`, { reason: ticket.reason[lang] }));
  if (ticket.history.length > 0) {
    lines.push('', t(lang, `${NS}history`));
    for (const h of ticket.history) {
      const line = `• ${moment(t, lang, h.at)}: ${h.statusLabel[lang]}`;
      lines.push(h.reason ? t(lang, `${NS}historyReason`, { line, reason: h.reason[lang] }) : line);
    }
  }
  const description = ticket.description.length > DESCRIPTION_SHOWN ? `${ticket.description.slice(0, DESCRIPTION_SHOWN)}…` : ticket.description;
  lines.push('', t(lang, `${NS}description`, { text: description }));
  if (ticket.attachments.length > 0) lines.push(t(lang, `${NS}files`, { list: join(lang, ticket.attachments.map((a) => a.fileName)) }));
  return lines.join('\n');
}
