/**
 * Working hours such as "Sun-Thu 08:00-20:00; Sat 10:00-14:00" in a time zone
 * (Asia/Riyadh by default). Empty or "always" means around the clock.
 */
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Window {
  days: Set<number>;
  from: number; // minutes after midnight
  to: number;
}

function dayIndex(name: string): number {
  const i = DAYS.indexOf(name.trim().slice(0, 3).toLowerCase());
  if (i < 0) throw new Error(`HANDOFF_HOURS: unknown day "${name}"`);
  return i;
}

function minutes(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m) throw new Error(`HANDOFF_HOURS: bad time "${hhmm}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export function parseHours(spec: string): Window[] | undefined {
  const s = spec.trim();
  if (!s || s.toLowerCase() === 'always') return undefined;
  return s.split(/[;,]/).filter((p) => p.trim()).map((part) => {
    const m = /^\s*([A-Za-z]{3,})(?:\s*-\s*([A-Za-z]{3,}))?\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$/.exec(part);
    if (!m) throw new Error(`HANDOFF_HOURS: cannot read "${part.trim()}" (expected e.g. "Sun-Thu 08:00-20:00")`);
    const first = dayIndex(m[1] ?? '');
    const last = m[2] ? dayIndex(m[2]) : first;
    const days = new Set<number>();
    for (let d = first; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === last) break;
    }
    return { days, from: minutes(m[3] ?? ''), to: minutes(m[4] ?? '') };
  });
}

/** Whether `now` falls inside the working hours, read in the given time zone. */
export function isWithinHours(windows: Window[] | undefined, timeZone: string, now: Date): boolean {
  if (!windows) return true;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = dayIndex(get('weekday'));
  const at = Number(get('hour')) * 60 + Number(get('minute'));
  return windows.some((w) => w.days.has(day) && at >= w.from && at < w.to);
}
