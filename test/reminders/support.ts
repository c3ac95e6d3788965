/** What the reminder suites share: the simulator's clock moved to a Riyadh hour, and polling until something holds. */
import type { Simulator } from '../../sim';

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
export const AHMED = '2345678904';
/** Ahmed's dependents whose iqama is due within 30 days on demo day (sim/demoData.ts), by first name. */
export const DUE_30 = { ar: ['منى', 'عمر', 'ليلى', 'فاطمة'], en: ['Mona', 'Omar', 'Layla', 'Fatma'] } as const;

/** Moves the simulator's clock forward to the next hh:00:30 in Riyadh (UTC+3). */
export async function advanceToRiyadhHour(sim: Simulator | string, hour: number): Promise<void> {
  const now = typeof sim === 'string' ? await simNow(sim) : sim.clock.now();
  const riyadh = now + 3 * HOUR;
  const dayStart = Math.floor(riyadh / DAY) * DAY;
  let target = dayStart + hour * HOUR + 30_000;
  if (target <= riyadh) target += DAY;
  await advance(sim, target - riyadh);
}

export async function advance(sim: Simulator | string, ms: number): Promise<void> {
  if (typeof sim !== 'string') return sim.advance(ms);
  const res = await fetch(`${sim}/_sim/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms }) });
  if (res.status !== 200) throw new Error(`advance: HTTP ${res.status}`);
}

async function simNow(url: string): Promise<number> {
  const res = await fetch(`${url}/_sim/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: 0 }) });
  return Date.parse(((await res.json()) as { now: string }).now);
}

export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
