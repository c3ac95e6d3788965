/** Shared set-up for the services tests: a simulator on loopback with a frozen clock. */
import { createSimClock, createSimulator, type Simulator } from '../../sim';
import { createServicesClient, type ServicesClient, type ServicesClientOptions } from '../../adapters/services';

export const START = new Date('2025-03-10T06:00:00Z');
export const OTP = '482913';
export const API_KEY = 'test-services-key';
export const AHMED = '2345678904';
export const MOHAMMED = '2100398474';
export const ABDULLAH = '1104837263';
export const BILAL = '2475512550';

export async function startSim(extra: Parameters<typeof createSimulator>[0] = {}): Promise<{ sim: Simulator; url: string }> {
  const sim = createSimulator({
    clock: createSimClock({ start: START, frozen: true }),
    otpCode: OTP,
    apiKey: API_KEY,
    admin: true,
    autoPayBillsAfterMs: null,
    ...extra,
  });
  const { url } = await sim.start();
  return { sim, url };
}

export function client(url: string, extra: Partial<ServicesClientOptions> = {}): ServicesClient {
  return createServicesClient({ baseUrl: url, apiKey: API_KEY, timeoutMs: 5000, retry: { retries: 2, initialDelayMs: 10, maxDelayMs: 50 }, ...extra });
}

export async function signIn(api: ServicesClient, idNumber: string): Promise<string> {
  const ch = await api.startVerification(idNumber);
  const v = await api.verifyCode(ch.challengeId, OTP);
  return v.accessToken;
}

/** Runs fn and returns the ServiceError it throws (fails the test when it does not throw). */
export async function failure(fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (e) {
    return e as import('../../adapters/services').ServiceError;
  }
  throw new Error('expected a ServiceError');
}

export const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
export const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
export const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]);
