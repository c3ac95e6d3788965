/** The reminder rules that need no I/O: which threshold is due, quiet hours in Riyadh time, the stop phrases, the settings. */
import { describe, expect, it } from 'vitest';
import { daysBetween, dueThreshold, inQuietHours, loadRemindersConfig } from '../../adapters/reminders';
import { isStartRemindersRequest, isStopRemindersRequest } from '../../dialogs/reminders/understand';

const riyadh = (hhmm: string) => Date.parse(`2026-12-06T${hhmm}:00+03:00`);
const QUIET = { start: 22, end: 8 };

describe('reminder rules', () => {
  it('the due threshold is the smallest that covers the days left; none once expired or too far off', () => {
    const th = [7, 30];
    expect(dueThreshold(31, th)).toBeUndefined();
    expect(dueThreshold(30, th)).toBe(30);
    expect(dueThreshold(8, th)).toBe(30);
    expect(dueThreshold(7, th)).toBe(7);
    expect(dueThreshold(0, th)).toBe(7);
    expect(dueThreshold(-1, th)).toBeUndefined();
    expect(daysBetween('2026-12-06', '2026-12-26')).toBe(20);
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
  });

  it('quiet hours are 22:00 to 08:00 in Riyadh, whatever the server\'s zone', () => {
    expect(inQuietHours(riyadh('21:59'), QUIET)).toBe(false);
    expect(inQuietHours(riyadh('22:00'), QUIET)).toBe(true);
    expect(inQuietHours(riyadh('03:00'), QUIET)).toBe(true);
    expect(inQuietHours(riyadh('07:59'), QUIET)).toBe(true);
    expect(inQuietHours(riyadh('08:00'), QUIET)).toBe(false);
    expect(inQuietHours(riyadh('13:00'), { start: 13, end: 14 })).toBe(true);
    expect(inQuietHours(riyadh('13:00'), { start: 0, end: 0 })).toBe(false);
  });

  it('reads "stop reminders" and its dialect variants, and nothing shorter or longer', () => {
    for (const yes of ['أوقف التذكير', '«أوقف التذكير»', 'وقف التذكيرات', 'لا تذكرني', 'ابي اوقف التذكير لو سمحت', 'ما ابي تذكيرات', 'الغاء التذكير', 'وقف التذكير بانتهاء الإقامة', 'stop reminders', 'Stop reminding me', 'no more reminders', 'please stop the reminders', "don't remind me"]) {
      expect(isStopRemindersRequest(yes), yes).toBe(true);
    }
    for (const no of ['أوقف', 'ذكرني', 'تذكير', 'لا', 'stop', 'remind me', 'أوقف التذكير وابي اجدد اقامة زوجتي الحين', 'the reminders stopped working, why?']) {
      expect(isStopRemindersRequest(no), no).toBe(false);
    }
  });

  it('reads asking to be reminded, in MSA, Gulf dialect and English, and not questions about an expiry or a renewal', () => {
    for (const yes of ['ذكرني قبل انتهاء إقامات عيالي', 'ذكرني قبل ما تخلص إقامة زوجتي', 'نبهني قبل انتهاء الاقامة بشهر', 'فعل التذكير', 'ابي تذكير بانتهاء الاقامات', 'ابي تذكير قبل انتهاء الاقامات', 'ابغى تذكير قبل ما تخلص الاقامات', 'تكفى ذكرني قبل ما تنتهي اقامة امي', "Remind me 30 and 7 days before any of my family's iqamas expire", 'turn on reminders', 'i want iqama expiry reminders']) {
      expect(isStartRemindersRequest(yes), yes).toBe(true);
    }
    for (const no of ['ابي اعرف متى تنتهي اقامة زوجتي', 'ابي اجدد اقامة زوجتي قبل ما تنتهي', 'ذكرني', 'remind me', 'لا تذكرني', 'when does my iqama expire?', "renew my wife's iqama before it expires"]) {
      expect(isStartRemindersRequest(no), no).toBe(false);
    }
  });

  it('settings: defaults, and a clear error for a bad value', () => {
    expect(loadRemindersConfig({})).toEqual({ pollMs: 900_000, claimMs: 120_000, thresholds: [7, 30], quietHours: { start: 22, end: 8 } });
    expect(loadRemindersConfig({ REMINDER_THRESHOLDS: '14,3,14', REMINDER_QUIET_HOURS: '23-7' })).toMatchObject({ thresholds: [3, 14], quietHours: { start: 23, end: 7 } });
    expect(() => loadRemindersConfig({ REMINDER_QUIET_HOURS: '25-7' })).toThrow(/REMINDER_QUIET_HOURS/);
    expect(() => loadRemindersConfig({ REMINDER_THRESHOLDS: 'soon' })).toThrow(/REMINDER_THRESHOLDS/);
  });
});
