/**
 * The services simulator as most suites want it: its clock frozen at the real "now" (so
 * session expiry, checked against real time by the identity step, behaves as in production
 * until a test moves the clock), admin routes on, bills paid only when a test says so.
 */
import { createSimClock, createSimulator, type Simulator } from '../../sim';

export async function startFrozenSim(otpCode: string, apiKey: string): Promise<{ sim: Simulator; url: string }> {
  const sim = createSimulator({ clock: createSimClock({ start: new Date(), frozen: true }), otpCode, apiKey, admin: true, autoPayBillsAfterMs: null });
  const { url } = await sim.start();
  return { sim, url };
}
