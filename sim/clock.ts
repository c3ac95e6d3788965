/**
 * The simulator's clock. Lifecycle transitions, code and session expiry and "today" all read
 * it, so tests freeze it and move it forward instead of waiting.
 */
export interface SimClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Moves the clock forward (never back). */
  advance(ms: number): void;
}

export interface SimClockOptions {
  /** Where the clock starts; defaults to the real time. */
  start?: Date | number;
  /** true: time stands still except for advance() (tests); false: it also follows real time. */
  frozen?: boolean;
}

export function createSimClock(options: SimClockOptions = {}): SimClock {
  const realStart = Date.now();
  const start = options.start === undefined ? realStart : new Date(options.start).getTime();
  let offset = 0;
  return {
    now: () => start + offset + (options.frozen ? 0 : Date.now() - realStart),
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance(ms) needs a non-negative number');
      offset += ms;
    },
  };
}

/** Saudi Arabia is UTC+3 all year: "today" for expiry dates is the Riyadh calendar day. */
const RIYADH_OFFSET_MS = 3 * 3600_000;

export function riyadhDate(ms: number): string {
  return new Date(ms + RIYADH_OFFSET_MS).toISOString().slice(0, 10);
}

/** yyyy-mm-dd plus whole days. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** yyyy-mm-dd plus whole months (day clamped to the month's end). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = total % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(d, last))).toISOString().slice(0, 10);
}

export function addYears(date: string, years: number): string {
  return addMonths(date, years * 12);
}

/** Whole years between a birth date and a day. */
export function ageOn(dateOfBirth: string, today: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}
