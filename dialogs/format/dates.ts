/**
 * Dates shown to people: Gregorian and Umm al-Qura Hijri together, in the reply language.
 * The calendar is always explicit (-u-ca-…): plain "ar-SA" formats Gregorian on this ICU.
 * Digits stay Latin (-nu-latn) so numbers read the same as on Absher and can be copied.
 */
import type { Lang } from '../understanding/normalize';

const TZ = 'Asia/Riyadh';
const OPTIONS: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', year: 'numeric', timeZone: TZ };

const FORMATS = {
  ar: {
    gregorian: new Intl.DateTimeFormat('ar-SA-u-ca-gregory-nu-latn', OPTIONS),
    hijri: new Intl.DateTimeFormat('ar-SA-u-ca-islamic-umalqura-nu-latn', OPTIONS),
  },
  en: {
    gregorian: new Intl.DateTimeFormat('en-GB-u-ca-gregory', OPTIONS),
    hijri: new Intl.DateTimeFormat('en-US-u-ca-islamic-umalqura', OPTIONS),
  },
} as const;

/** An ISO date (yyyy-mm-dd) or timestamp as a Date; date-only strings mean noon in Riyadh. */
export function toDate(value: string | Date): Date {
  if (value instanceof Date) return value;
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00+03:00`) : new Date(value);
}

/** "23 نوفمبر 2026 (13 جمادى الآخرة 1448 هـ)" / "23 November 2026 (Jumada II 13, 1448 AH)". */
export function formatBothCalendars(value: string | Date, lang: Lang): string {
  const d = toDate(value);
  const f = FORMATS[lang];
  return `${f.gregorian.format(d)} (${f.hijri.format(d)})`;
}

const TIMES = {
  ar: new Intl.DateTimeFormat('ar-SA-u-nu-latn', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone: TZ }),
  en: new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone: TZ }),
} as const;

/** A time of day in Riyadh, 12-hour with ص/م or AM/PM ("3:05 م", "3:05 PM"), named as Riyadh time by the locale strings that use it. */
export function formatTime(value: string | Date, lang: Lang): string {
  return TIMES[lang].format(toDate(value));
}

export function formatHijri(value: string | Date, lang: Lang): string {
  return FORMATS[lang].hijri.format(toDate(value));
}

/** Whole days from `from` to `to` in Riyadh calendar days (negative when `to` is past). */
const RIYADH_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });

export function daysUntil(to: string | Date, from: Date = new Date()): number {
  const day = (d: Date) => {
    const parts = RIYADH_DAY.format(d);
    return Date.parse(`${parts}T00:00:00Z`) / 86_400_000;
  };
  return Math.round(day(toDate(to)) - day(from));
}
