/**
 * The answers of the status lookup in plain language: a request or ticket (what, for whom,
 * the status explained, what to do when something is needed, the last update in both
 * calendars, the history for tickets), the person's iqama, the dependents' iqamas and the
 * exit/re-entry visas, each with days left or "N days ago" (Arabic plurals). Pure functions
 * of the service's data and "now" (the services' clock in tests), so they are tested alone.
 */
import type { Translate } from '../deps';
import { daysUntil, formatBothCalendars } from '../format/dates';
import { genderOf } from '../format/gender';
import { maskId } from '../understanding/idNumber';
import { normalizeForMatching, type Lang } from '../understanding/normalize';
import type { Relation } from '../understanding/types';
import type { Bilingual, Dependent, ExitReentryVisa, Profile, RequestStatus, RequestStatusResult, Relationship } from '../../adapters/services/types';

/** Iqamas this close to expiry get a "time to renew" nudge. */
export const RENEW_SOON_DAYS = 30;

const NS = 'status:';

/** "23 November 2026 (…1448 AH)". */
function date(value: string, lang: Lang): string {
  return formatBothCalendars(value, lang);
}

/** The status explained in a sentence or two, with what to do when something is needed. */
export function explainStatus(t: Translate, lang: Lang, r: RequestStatusResult): string {
  const reason = r.reason?.[lang];
  switch (r.status) {
    case 'needs_info': {
      const what = reason ? t(lang, `${NS}explain.needs_info`, { reason }) : t(lang, `${NS}explain.needsInfoNoReason`);
      const todo = t(lang, r.kind === 'tawasul' ? `${NS}explain.needsInfoTawasul` : `${NS}explain.needsInfoRequest`, { number: r.number });
      return `${what}\n${todo}`;
    }
    case 'rejected':
      return reason ? t(lang, `${NS}explain.rejected`, { reason }) : t(lang, `${NS}explain.rejectedNoReason`);
    case 'resolved':
      return reason ? t(lang, `${NS}explain.resolved`, { reason }) : t(lang, `${NS}explain.resolvedNoReason`);
    default:
      return explainStatusCode(t, lang, r.status);
  }
}

/** A status that needs no reason explained («قيدت»: recorded, nothing more to do), for outcomes of a task. */
export function explainStatusCode(t: Translate, lang: Lang, status: RequestStatus): string {
  return t(lang, `${NS}explain.${status}`);
}

/** One request or ticket: what and whose, status with its meaning, dates, and a ticket's history. */
export function formatRequest(t: Translate, lang: Lang, r: RequestStatusResult): string {
  const lines = [
    t(lang, `${NS}request.title`, { kind: r.kindLabel[lang], number: r.number }),
    t(lang, `${NS}request.for`, { name: r.beneficiary.name[lang] }),
    t(lang, `${NS}request.status`, { status: r.statusLabel[lang] }),
    explainStatus(t, lang, r),
    t(lang, `${NS}request.updated`, { date: date(r.updatedAt, lang) }),
  ];
  if (r.kind === 'tawasul' && r.history.length > 0) {
    lines.push('', t(lang, `${NS}request.history`));
    for (const h of r.history) {
      const line = t(lang, `${NS}request.historyLine`, { date: date(h.at, lang), status: h.statusLabel[lang] });
      const why = h.reason?.[lang];
      // "the reason" for a refusal or a request for information; a note for anything else (an approval has no reason).
      lines.push(why ? t(lang, `${NS}request.historyReason`, { line, reason: why, context: h.status }) : line);
    }
  }
  return lines.join('\n');
}

/** "N days left" / "N days ago" (Arabic plurals); callers say "today" themselves. */
function left(t: Translate, lang: Lang, days: number): string {
  return t(lang, `${NS}validity.left`, { count: days });
}
function ago(t: Translate, lang: Lang, days: number): string {
  return t(lang, `${NS}validity.ago`, { count: days });
}

export function formatMyIqama(t: Translate, lang: Lang, profile: Profile, now: Date): string {
  if (!profile.iqama) return t(lang, `${NS}myIqama.citizen`);
  const expiry = profile.iqama.expiryDate;
  const days = daysUntil(expiry, now);
  const args = { name: profile.name[lang], date: date(expiry, lang) };
  if (days < 0) return t(lang, `${NS}myIqama.expired`, { ...args, ago: ago(t, lang, -days) });
  if (days === 0) return t(lang, `${NS}myIqama.today`, args);
  return t(lang, days <= RENEW_SOON_DAYS ? `${NS}myIqama.soon` : `${NS}myIqama.valid`, { ...args, left: left(t, lang, days) });
}

/** Which dependents a relation named by the user means ("زوجتي" → spouse). */
const RELATION_MATCH: Record<Relation, ReadonlyArray<Relationship>> = {
  wife: ['spouse'],
  husband: ['spouse'],
  son: ['son'],
  daughter: ['daughter'],
  father: ['father'],
  mother: ['mother'],
  child: ['son', 'daughter'],
};

export function dependentsFor(dependents: Dependent[], relation: Relation | undefined): Dependent[] {
  if (!relation) return dependents;
  const wanted = RELATION_MATCH[relation];
  return dependents.filter((d) => wanted.includes(d.relationship));
}

const nameWords = (name: Bilingual): string[][] => [name.ar, name.en].map((n) => normalizeForMatching(n).split(' ').filter(Boolean));

/**
 * Whom a first name the user gave means ("omar", «عمر»): everyone whose first name it is in
 * either language; failing that, everyone with all its words in their name.
 */
export function peopleNamed<T>(items: readonly T[], nameOf: (item: T) => Bilingual, person: string): T[] {
  const wanted = normalizeForMatching(person).split(' ').filter(Boolean);
  if (wanted.length === 0) return [...items];
  const first = items.filter((x) => nameWords(nameOf(x)).some((w) => w.slice(0, wanted.length).join(' ') === wanted.join(' ')));
  if (first.length > 0) return first;
  return items.filter((x) => nameWords(nameOf(x)).some((w) => wanted.every((p) => w.includes(p))));
}

/** The dependents a relation and/or a first name mean (the name within the relation when both are given). */
export function dependentsNamed(dependents: Dependent[], relation: Relation | undefined, person: string | undefined): Dependent[] {
  const related = dependentsFor(dependents, relation);
  if (!person) return related;
  const named = peopleNamed(related, (d) => d.name, person);
  return named.length > 0 || !relation ? named : peopleNamed(dependents, (d) => d.name, person);
}

/**
 * "valid until 23 November 2026 (…), 20 days left" / "expired on …, 5 days ago" / "expires
 * today, …": an iqama's validity in a phrase (also fit for other dialogs' dependent lists).
 */
export function validityPhrase(t: Translate, lang: Lang, expiryDate: string, now: Date): string {
  const days = daysUntil(expiryDate, now);
  if (days < 0) return t(lang, `${NS}dependents.expired`, { date: date(expiryDate, lang), ago: ago(t, lang, -days) });
  if (days === 0) return t(lang, `${NS}dependents.today`, { date: date(expiryDate, lang) });
  return t(lang, `${NS}dependents.valid`, { date: date(expiryDate, lang), left: left(t, lang, days) });
}

function dependentLine(t: Translate, lang: Lang, d: Dependent, now: Date): string {
  const base = { name: d.name[lang], relation: d.relationshipLabel[lang] };
  if (!d.iqama) return t(lang, `${NS}dependents.lineCitizen`, { ...base, context: genderOf(d) });
  return t(lang, `${NS}dependents.line`, { ...base, id: maskId(d.idNumber), validity: validityPhrase(t, lang, d.iqama.expiryDate, now) });
}

/**
 * The dependents' iqamas, narrowed to a relation when the user named one ("my wife's
 * iqama"); when nobody matches, says so and lists everyone.
 */
export function formatDependents(t: Translate, lang: Lang, dependents: Dependent[], now: Date, relation?: Relation, person?: string): string {
  if (dependents.length === 0) return t(lang, `${NS}dependents.none`);
  const matching = dependentsNamed(dependents, relation, person);
  const shown = matching.length > 0 ? matching : dependents;
  const intro =
    person && matching.length === 0
      ? t(lang, `${NS}dependents.noMatchName`, { name: person })
      : relation && matching.length === 0
        ? t(lang, `${NS}dependents.noMatch`, { relation: t(lang, `${NS}relation.${relation}`) })
        : t(lang, relation || person ? `${NS}dependents.introFiltered` : `${NS}dependents.intro`);
  const lines = shown.map((d) => dependentLine(t, lang, d, now));
  const hint = shown.some((d) => d.iqama) ? ['', t(lang, `${NS}dependents.renewHint`)] : [];
  return [intro, ...lines, ...hint].join('\n');
}

function visaState(t: Translate, lang: Lang, v: ExitReentryVisa, now: Date): string {
  switch (v.status) {
    case 'used':
      return t(lang, `${NS}visas.used`);
    case 'cancelled':
      return t(lang, `${NS}visas.cancelled`);
    case 'expired':
      return t(lang, `${NS}visas.expired`, { date: date(v.exitBefore, lang), ago: ago(t, lang, Math.max(0, -daysUntil(v.exitBefore, now))) });
    case 'valid': {
      const days = daysUntil(v.exitBefore, now);
      const stay = t(lang, `${NS}visas.stay`, { count: v.durationDays });
      return days <= 0
        ? t(lang, `${NS}visas.today`, { date: date(v.exitBefore, lang), stay })
        : t(lang, `${NS}visas.valid`, { date: date(v.exitBefore, lang), left: left(t, lang, days), stay });
    }
  }
}

/**
 * The exit/re-entry visas, narrowed to the holders the user named ("and Omar's?": `holders`
 * are their ID numbers, named by a first name or a relation); when none of those has one, says so and
 * lists every visa.
 */
export function formatVisas(t: Translate, lang: Lang, visas: ExitReentryVisa[], now: Date, only?: { holders: ReadonlySet<string>; person?: string; relation?: Relation }): string {
  if (visas.length === 0) return t(lang, `${NS}visas.none`);
  const theirs = only ? visas.filter((v) => only.holders.has(v.holder.idNumber)) : visas;
  const shown = theirs.length > 0 ? theirs : visas;
  const intro = only && theirs.length === 0 ? t(lang, `${NS}visas.noneFor`, { name: only.person ?? (only.relation ? t(lang, `${NS}relation.${only.relation}`) : '') }) : t(lang, `${NS}visas.intro`);
  const lines = shown.map((v) =>
    t(lang, `${NS}visas.line`, {
      type: t(lang, `${NS}visas.${v.type}`),
      number: v.visaNumber,
      holder: v.holder.name[lang],
      state: visaState(t, lang, v, now),
    }),
  );
  return [intro, ...lines].join('\n');
}
