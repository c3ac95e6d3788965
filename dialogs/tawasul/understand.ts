/**
 * Whether a person's words ask to see or follow their Tawasul tickets rather than open one
 * ("طلباتي في تواصل", "my tickets", "تابع طلب التواصل"). The router can send such messages
 * to the tracker ('tawasulTrack') whatever intent the classifier gave them. Pure.
 */
import { normalizeForMatching } from '../understanding/normalize';

const MINE = /(^| )(طلباتي|تذاكري|معاملاتي|طلبات تواصل|my (tawasul )?(tickets|requests)|tawasul (tickets|requests))( |$)/;
const FOLLOW = /(^| )(متابعه|تابع|اتابع|وش صار|ايش صار|وين وصل|وين وصلت|حاله|track|status|follow|what happened)( |$)/;
const TAWASUL = /تواصل|tawasul|ticket|تذكر/;

/**
 * Whether a message asks to see or follow Tawasul tickets rather than open one: "my tickets",
 * "طلباتي في تواصل", "تابع طلب التواصل", "status of my Tawasul ticket" (without a number).
 */
export function isTicketListRequest(text: string): boolean {
  const n = normalizeForMatching(text).replace(/[?!.,;:]/g, ' ').replace(/\s+/g, ' ');
  // With a ticket number the status lookup answers it directly.
  if (/\d{5,}/.test(n.replace(/[\s-]/g, ''))) return false;
  if (MINE.test(n) && (TAWASUL.test(n) || /tickets|تذاكري/.test(n))) return true;
  return FOLLOW.test(n) && TAWASUL.test(n);
}
