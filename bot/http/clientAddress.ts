/**
 * The client address every per-address limit counts (Direct Line anonymous tokens, agent
 * sign-in), and the one setting that says how many reverse proxies are in front of us:
 * TRUSTED_PROXIES, with DIRECTLINE_TRUSTED_PROXIES (and the older DIRECTLINE_TRUST_PROXY=true,
 * meaning 1) read when it is not set.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { ConfigError, formatConfigError } from '../config';

const proxies = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
  .pipe(z.string().regex(/^\d{1,2}$/, 'a number of proxies, 0 to 10').transform(Number).pipe(z.number().max(10)).optional());

const ProxyEnv = z.object({
  TRUSTED_PROXIES: proxies,
  DIRECTLINE_TRUSTED_PROXIES: proxies,
  DIRECTLINE_TRUST_PROXY: z
    .string()
    .optional()
    .transform((v) => ['true', '1', 'yes'].includes((v ?? '').trim())),
});

/** How many proxies append to X-Forwarded-For (0: the socket's address is the client). */
export function trustedProxiesOf(env: Record<string, unknown>): number {
  const parsed = ProxyEnv.safeParse(env);
  if (!parsed.success) throw new ConfigError(formatConfigError(parsed.error));
  const e = parsed.data;
  return e.TRUSTED_PROXIES ?? e.DIRECTLINE_TRUSTED_PROXIES ?? (e.DIRECTLINE_TRUST_PROXY ? 1 : 0);
}

/**
 * The address a rate limit counts. Each trusted proxy appends the address it was reached from
 * to X-Forwarded-For, so the client is `trustedProxies` hops from the right; anything further
 * left was written by the client and proves nothing. With fewer hops than proxies the leftmost
 * one is used (every entry then came from a proxy of ours).
 */
export function clientAddress(req: IncomingMessage, trustedProxies: number): string {
  if (trustedProxies > 0) {
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : String(header ?? ''))
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h !== '');
    if (hops.length > 0) return hops[Math.max(0, hops.length - trustedProxies)]!;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
