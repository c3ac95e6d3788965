/**
 * Follow-ups that lean on the last answer ("وتاشيرة عمر؟", "and my son Omar's?", «وعمر؟»,
 * "and my own?", "why was it rejected?"): resolved against the last lookup kept in
 * conversation data into a lookup of the same thing for whoever the message names. Pure.
 */
import { detectLookup, type LookupKind, type LookupTarget } from '../status/understand';
import { extractEntities } from '../understanding/entities';
import { normalizeForMatching } from '../understanding/normalize';
import type { RequestKind } from '../../adapters/services/types';

/** What the last status answer was about (conversation data; a request number is not personal). */
export interface LastLookup {
  kind: LookupKind;
  number?: string;
  /** For a request: what it is (an exit/re-entry visa, a renewal…), so "and Omar's?" means the same thing. */
  about?: RequestKind;
}

/** A lookup resolved from a follow-up: what to look up, and the request number when it is the last one. */
export interface FollowUpLookup {
  target: LookupTarget;
  number?: string;
}

const WHY = /(^| )(ليش|ليه|لماذا|لم|وش السبب|ايش السبب|السبب|سبب|why|reason|how come)( |$)/;
const OWN = /^(و ?)?(انا|انا بعد|اقامتي|حقي|حقتي|نفسي|وانا)$|^(and|what about|how about) (me|mine|my own|myself|my iqama)$|^my own$/;
const AND = /^(و|and |what about |how about |طيب و|طيب |ok and |okay and )/;
/** Words around a name in a follow-up ("and my son Omar's?", «وولدي عمر؟»): what is left is the name. */
const NOT_A_NAME = new Set([
  'my', 'the', 'of', 'for', 'his', 'her', 's', 'one', 'son', 'daughter', 'wife', 'husband', 'mother', 'mom', 'mum', 'father', 'dad', 'kid', 'child',
  'iqama', 'visa', 'please', 'pls', 'too', 'also', 'then',
  'ولدي', 'ابني', 'بنتي', 'ابنتي', 'زوجتي', 'مرتي', 'زوجي', 'امي', 'ابوي', 'ابي', 'والدتي', 'والدي', 'حق', 'حقت', 'حقه', 'حقها', 'بعد', 'اقامه', 'تاشيره', 'طيب', 'عن',
]);
/** What a leading «و» leaves of common words ("وين", "ولا", "والله"): the message is not a follow-up. */
const NOT_AFTER_AND = /^(ين|لا|الله|ش|اذا|لو|لكن|بس|كيف|ليش|متي|هل|ايش|what|how|when|where|why|is|are|can|do|does)( |$)/;

/** A first name the message gives besides its relation and filler ("omar" in "and my son Omar's"). */
function personIn(rest: string): string | undefined {
  // First names rarely carry the article: «الفرع», «الرسوم» are not people.
  const words = rest.replace(/['’]s\b/g, ' ').replace(/[^\p{L}\s]/gu, ' ').split(/\s+/).filter((w) => w.length >= 3 && !NOT_A_NAME.has(w) && !w.startsWith('ال'));
  return words.length >= 1 && words.length <= 2 ? words.join(' ') : undefined;
}

/** What "the same thing" is for another person: visas stay visas, everything iqama-like is the dependents' iqamas. */
function sameKindFor(last: LastLookup): LookupKind {
  if (last.kind === 'visas' || last.about === 'exit_reentry_visa') return 'visas';
  return 'dependents';
}

/** The lookup a short follow-up asks for, or undefined when the message is not one. */
export function resolveFollowUp(text: string, last: LastLookup): FollowUpLookup | undefined {
  const n = normalizeForMatching(text).replace(/[?!.,؟]/g, ' ').replace(/\s+/g, ' ').trim();
  if (!n || n.split(' ').length > 6) return undefined;
  if (WHY.test(n) && last.number) return { target: { kind: 'request' }, number: last.number };
  if (OWN.test(n)) return { target: { kind: 'myIqama' } };
  if (!AND.test(n)) return undefined;
  const rest = n.replace(AND, '').trim();
  if (!rest || /\d/.test(rest) || NOT_AFTER_AND.test(rest)) return undefined;
  const relation = extractEntities(rest).relation;
  const person = personIn(rest);
  const said = detectLookup(rest);
  // "وتاشيرة عمر؟": the message says what; otherwise it is the last thing again, for someone else.
  const kind = said && said.kind !== 'request' ? said.kind : relation || person ? sameKindFor(last) : undefined;
  if (!kind || kind === 'myIqama') return kind ? { target: { kind } } : undefined;
  return { target: { kind, ...(relation ? { relation } : {}), ...(person ? { person } : {}) } };
}
