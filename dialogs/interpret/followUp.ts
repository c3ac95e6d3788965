/**
 * Follow-ups that lean on the last answer ("وتاشيرة عمر؟", "and my own?", "why was it
 * rejected?"): resolved against the last lookup kept in conversation data, into the words a
 * fresh lookup understands. Pure.
 */
import { detectLookup, type LookupKind } from '../status/understand';
import { normalizeForMatching } from '../understanding/normalize';

/** What the last status answer was about (conversation data; a request number is not personal). */
export interface LastLookup {
  kind: LookupKind;
  number?: string;
}

const WHY = /(^| )(ليش|ليه|لماذا|لم|وش السبب|ايش السبب|السبب|why|reason|how come)( |$)/;
const OWN = /^(و ?)?(انا|انا بعد|اقامتي|حقي|حقتي|نفسي|وانا)$|^(and|what about|how about) (me|mine|my own|myself|my iqama)$|^my own$/;
const AND = /^(و|and |what about |how about )/;

/** The text to look up for a short follow-up, or undefined when the message is not one. */
export function resolveFollowUp(text: string, last: LastLookup, lang: 'ar' | 'en'): string | undefined {
  const n = normalizeForMatching(text).replace(/[?!.,؟]/g, ' ').replace(/\s+/g, ' ').trim();
  if (!n || n.split(' ').length > 6) return undefined;
  if (WHY.test(n) && last.number) return last.number;
  if (OWN.test(n)) return lang === 'ar' ? 'اقامتي' : 'my iqama';
  if (AND.test(n)) {
    const rest = n.replace(AND, '').trim();
    if (rest && detectLookup(rest)) return rest;
  }
  return undefined;
}
