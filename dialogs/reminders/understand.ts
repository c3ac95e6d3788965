/**
 * The reminder commands, read from the whole message (short requests only, never inside free
 * text): "stop reminders" and its dialect variants end them from anywhere; the menu title and
 * the offer's "yes" start the opt-in; the offer's "no" declines it. Not intents of the
 * recognizer's contract: MainDialog checks these before routing, as it does "delete my data".
 */
import type { Translate } from '../deps';
import { normalizeForMatching } from '../understanding/normalize';

export type ReminderCommand = 'start' | 'stop' | 'decline';

const AR_POLITE = '(?:ابي|ابغي|ابغا|اريد|ودي|ممكن|لو سمحت|من فضلك|فضلا|رجاء|تكفى|تكفي|خلاص)';
const AR_STOP = '(?:اوقف|أوقف|وقف|وقفوا|اوقفوا|الغ|الغي|الغاء|ايقاف|بطل|بطلوا|اقفل|سكر)';
const AR_WHAT = '(?:ال)?(?:تذكير|تذكيرات|التنبيه|التنبيهات)(?: (?:ب|عن )?(?:انتهاء )?(?:ال)?(?:اقامه|اقامات))?';
const AR_DONT = '(?:لا|ما|مابي|ما ابي|لا عاد) ?(?:تذكرني|تذكروني|ابي تذكير|ابي تذكيرات|ابغي تذكير|تبعث تذكير|ترسل تذكير)(?: (?:بعد الحين|مره ثانيه|ثاني))?';
const EN_POLITE = "(?:please|pls|can you|could you|i want to|i would like to|i'd like to|kindly)";
const EN_STOP = "(?:(?:stop|end|cancel|disable|turn off|unsubscribe from|no more)(?: the| my| all)?(?: iqama)?(?: expiry)? reminders?|stop reminding me|don'?t remind me(?: anymore| again)?|unsubscribe)";
const STOP = new RegExp(
  `^(?:${AR_POLITE} )*(?:${AR_STOP} ${AR_WHAT}|${AR_DONT})(?: ${AR_POLITE})*$|^(?:${EN_POLITE} )*${EN_STOP}(?: please)?$`,
);

// Asking to be reminded: a reminding verb with the iqamas' expiry, or "turn reminders on".
const AR_REMIND = '(?:ذكرني|ذكروني|نبهني|نبهوني|تذكرني|تذكروني|تنبهني|تنبهوني)';
const AR_ABOUT = '(?:\\S+ ){0,4}(?:بانتهاء|انتهاء|تنتهي|ينتهي|تخلص|يخلص|خلوص)(?: \\S+){0,2} (?:ال)?(?:اقامه|اقامات|اقامتها|اقامته|اقامتهم)(?: \\S+){0,4}';
const AR_TURN_ON = '(?:فعل|فعلوا|فعلي|شغل|شغلوا|شغلي|ابي|ابغى|ابغي|ابغا|اريد|ودي)(?: لي)? (?:ال)?(?:تذكير|تذكيرات)(?: (?:ب|عن |قبل (?:ما )?)?(?:انتهاء |تنتهي |تخلص )?(?:ال)?(?:اقامه|اقامات))?';
const EN_REMIND = "(?:remind|notify|alert) me (?:\\S+ ){0,9}(?:iqamas?|residency|residence permits?)(?: \\S+){0,5}";
const EN_TURN_ON = "(?:turn on|enable|start|set up|i want|i'd like|i would like)(?: the| my)?(?: iqama)?(?: expiry)? reminders?(?: \\S+){0,4}";
const START = new RegExp(
  `^(?:${AR_POLITE} )*(?:${AR_REMIND} ${AR_ABOUT}|${AR_TURN_ON})(?: ${AR_POLITE})*$|^(?:${EN_POLITE} )*(?:${EN_REMIND}|${EN_TURN_ON})(?: please)?$`,
);

const clean = (text: string) =>
  normalizeForMatching(text).replace(/[^\p{L}\p{N}' ]+/gu, ' ').replace(/\s+/g, ' ').trim();

/** Whether a whole message asks to stop the reminders. */
export function isStopRemindersRequest(text: string): boolean {
  const n = clean(text);
  return n.length > 0 && n.length <= 60 && STOP.test(n);
}

/** Whether a whole message asks to be reminded before the family's iqamas expire. */
export function isStartRemindersRequest(text: string): boolean {
  const n = clean(text);
  return n.length > 0 && n.length <= 90 && START.test(n);
}

/** Reads the reminder commands; the titles come from the locales (both languages). */
export function reminderCommandReader(t: Translate): (text: string) => ReminderCommand | undefined {
  const titles = new Map<string, ReminderCommand>();
  for (const lang of ['ar', 'en'] as const) {
    titles.set(clean(t(lang, 'reminders:menuTitle')), 'start');
    titles.set(clean(t(lang, 'reminders:offer.yes')), 'start');
    titles.set(clean(t(lang, 'reminders:offer.no')), 'decline');
  }
  return (text) => {
    if (!text) return undefined;
    if (isStopRemindersRequest(text)) return 'stop';
    return titles.get(clean(text)) ?? (isStartRemindersRequest(text) ? 'start' : undefined);
  };
}
