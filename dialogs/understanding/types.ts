/**
 * What the understanding module tells the rest of the bot. No botbuilder types here: the
 * module must move unchanged to another runtime (see design.md).
 */
import type { Lang } from './normalize';
import type { OtherAuthority } from './elsewhere';

export const INTENTS = [
  'greeting', 'help', 'cancel', 'menu', 'language.ar', 'language.en', 'agent',
  'iqama.renew', 'tawasul.create', 'status.check', 'faq', 'travel_permit',
  'passport.update', 'none',
] as const;
export type Intent = (typeof INTENTS)[number];

export const FAQ_IDS = [
  'appointment', 'transaction_recorded', 'absher_register', 'absher_activation',
  'passport_renewal', 'visas', 'iqama_requirements', 'iqama_renewal_steps', 'iqama_fees', 'travel_permit',
  'passport_info_update', 'delegation', 'tawasul_scope', 'tawasul_steps', 'track_request',
  'lost_documents', 'e_services_benefits', 'data_security',
] as const;
export type FaqId = (typeof FAQ_IDS)[number];

/** Family relations people name when they mean a dependent ("my wife", "ولدي"). */
export type Relation = 'wife' | 'husband' | 'son' | 'daughter' | 'father' | 'mother' | 'child';

export interface Entities {
  /** A valid 10-digit ID number (format and check digit), ASCII digits. */
  idNumber?: string;
  /** A request or ticket number as ASCII digits (5-12 digits, not an ID or phone). */
  requestNumber?: string;
  /** A Saudi mobile number in E.164 (+9665XXXXXXXX). */
  mobile?: string;
  /** A date, ISO yyyy-mm-dd (Gregorian), whatever calendar it was written in. */
  date?: { iso: string; calendar: 'gregorian' | 'hijri' };
  /** A duration in months. */
  months?: number;
  /** An ordinal or list position, 1-based ("الثاني", "the second", "2"). */
  ordinal?: number;
  /** A yes or no answer. */
  yesNo?: boolean;
  relation?: Relation;
  /** Some plain number the user typed, when nothing more specific fits. */
  number?: number;
}

export interface Understanding {
  language: Lang | undefined;
  normalized: string;
  intent: Intent;
  score: number;
  /** Set when intent is 'faq'. */
  faq?: FaqId;
  entities: Entities;
  /** Out of scope, and about another authority's business (traffic, visit visas, banks, Najm). */
  elsewhere?: OtherAuthority;
  /** The runner-up when the classifier could not separate two intents ("did you mean A or B?"). */
  alternative?: { intent: Intent; score: number; faq?: FaqId };
}

/** The bot's view of language understanding; bot/ wires the implementation, tests swap it. */
export interface Recognizer {
  recognize(text: string, hint?: Lang): Understanding;
}
