/**
 * Tawasul answers in plain language: the review before sending, the list of a person's
 * tickets and one ticket with its history (dates in both calendars). Pure functions of the
 * services' data, rendered in the turn's language.
 */
import type { FieldSpec, TawasulSection, Ticket, TicketSummary, TransactionType } from '../../adapters/services/types';
import type { Translate } from '../deps';
import { formatBothCalendars } from '../format/dates';
import type { Lang } from '../understanding/normalize';
import { displayValue } from './fields';
import { sizeParts } from './files';

const NS = 'tawasul:';
const DESCRIPTION_SHOWN = 300;

export interface FileRef {
  attachmentId: string;
  name: string;
  size: number;
  sha256: string;
}

export function fileSize(t: Translate, lang: Lang, bytes: number): string {
  const { unit, value } = sizeParts(bytes);
  return t(lang, `${NS}files.${unit}`, { value });
}

export function fileList(t: Translate, lang: Lang, files: FileRef[]): string {
  if (files.length === 0) return t(lang, `${NS}files.none`);
  return files.map((f) => `${f.name} (${fileSize(t, lang, f.size)})`).join(lang === 'ar' ? '، ' : ', ');
}

const bullet = (label: string, value: string) => `• ${label}: ${value}`;

export interface ReviewInput {
  section: TawasulSection;
  type: TransactionType;
  fields: Record<string, string>;
  description: string;
  files: FileRef[];
}

/** The request as it will be sent: type, each field, the description as typed, the files. */
export function formatReview(t: Translate, lang: Lang, r: ReviewInput): string {
  const lines = [
    t(lang, `${NS}review.title`),
    bullet(t(lang, `${NS}review.type`), `${r.type.label[lang]} (${r.section.label[lang]})`),
    ...r.type.fields.map((f: FieldSpec) => bullet(f.label[lang], displayValue(f, r.fields[f.name] ?? '', lang))),
    bullet(t(lang, `${NS}review.description`), r.description.trim()),
    bullet(t(lang, `${NS}review.attachments`), fileList(t, lang, r.files)),
  ];
  return lines.join('\n');
}

/** One line per ticket, newest first, numbered for typed answers ("2", "الثاني"). */
export function formatTicketList(t: Translate, lang: Lang, tickets: TicketSummary[]): string {
  const lines = tickets.map((x, i) =>
    t(lang, `${NS}track.line`, {
      n: i + 1,
      number: x.number,
      type: x.transactionTypeLabel[lang],
      status: x.statusLabel[lang],
      date: formatBothCalendars(x.updatedAt, lang),
    }),
  );
  return [t(lang, `${NS}track.intro`), ...lines].join('\n');
}

/** A ticket: what, when, the status explained with the department's note, the history, the description. */
export function formatTicket(t: Translate, lang: Lang, ticket: Ticket): string {
  const lines = [
    t(lang, `${NS}track.title`, { number: ticket.number }),
    t(lang, `${NS}track.type`, { type: ticket.transactionTypeLabel[lang], section: ticket.sectionLabel[lang] }),
    t(lang, `${NS}track.submitted`, { date: formatBothCalendars(ticket.createdAt, lang) }),
    t(lang, `${NS}track.status`, { status: ticket.statusLabel[lang] }),
    t(lang, `${NS}track.explain.${ticket.status}`, { number: ticket.number }),
  ];
  if (ticket.reason) lines.push(t(lang, `${NS}track.note`, { reason: ticket.reason[lang] }));
  if (ticket.history.length > 0) {
    lines.push('', t(lang, `${NS}track.history`));
    for (const h of ticket.history) {
      const line = `• ${formatBothCalendars(h.at, lang)}: ${h.statusLabel[lang]}`;
      lines.push(h.reason ? t(lang, `${NS}track.historyReason`, { line, reason: h.reason[lang] }) : line);
    }
  }
  const description = ticket.description.length > DESCRIPTION_SHOWN ? `${ticket.description.slice(0, DESCRIPTION_SHOWN)}…` : ticket.description;
  lines.push('', t(lang, `${NS}track.description`, { text: description }));
  if (ticket.attachments.length > 0) {
    const list = ticket.attachments.map((a) => a.fileName).join(lang === 'ar' ? '، ' : ', ');
    lines.push(t(lang, `${NS}track.files`, { list }));
  }
  return lines.join('\n');
}
