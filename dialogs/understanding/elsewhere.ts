/**
 * Requests that belong to another authority (traffic fines, visit visas, bank cards, Najm):
 * people ask Jawazat's assistant about them, and "rephrase it" helps no one. A message that
 * names one of these topics and nothing of Jawazat's own is out of scope with a known place
 * to send the person. Keyword rules on the matching form; no botbuilder types.
 */
import { normalizeForMatching } from './normalize';

export const OTHER_AUTHORITIES = ['traffic', 'visit_visa', 'bank', 'najm'] as const;
export type OtherAuthority = (typeof OTHER_AUTHORITIES)[number];

const TOPICS: Array<[OtherAuthority, RegExp]> = [
  ['najm', /نجم|\bnajm\b|حادث|\baccident\b/],
  [
    'traffic',
    /ساهر|\bsaher\b|مخالف(ه|ات|تي)? (مروري|المرور|ساهر|سرعه)|مروريه|ادار(ه|ة) المرور|المرور|رخص(ه|ة|تي)? (القياده|السواقه|قياده|السير)|رخصه القياده|استمار(ه|تي)|\btraffic\b|speeding|driv(ing|er'?s) licen[cs]e|car registration|istimara|mukhalaf/,
  ],
  ['visit_visa', /(تاشير(ه|ات)|فيز(ا|ه)) (ال)?(زياره|زيارات|سياح(يه|ه)|عائليه|شخصيه)|زياره عائليه|\b(visit(or|ing)?|touris[mt]|tourism|family visit) visas?\b|\be-?visa\b/],
  ['bank', /بطاق(ه|تي|ات) (ال)?(صراف|بنك|ائتمان|مدى|فيزا|بنكيه|ماستر)|بطاقتي (ال)?(موقوف|مجمد|مقفل)|بطاقه موقوف|الصراف الالي|\bbank\b|البنك|بنكي|(credit|debit|atm|mada|bank) card|(frozen|blocked|stopped|locked) card|card (is )?(frozen|blocked)/],
];

/** Words that make a message Jawazat's business whatever else it mentions. */
const JAWAZAT = /اقام|\biqama|جواز|passport|خروج وعود|خروج نهائي|exit|re-?entry|تواصل|tawasul|قيدت|ابشر|absher|تفعيل|activat|تصريح سفر|travel permit|مقيم|resident/;

/** The other authority a message is about, if it is only about that. */
export function otherAuthorityOf(text: string): OtherAuthority | undefined {
  const normalized = normalizeForMatching(text);
  if (JAWAZAT.test(normalized)) return undefined;
  return TOPICS.find(([, re]) => re.test(normalized))?.[0];
}
