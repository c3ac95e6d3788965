/**
 * Agent sign-in under attack, over real HTTP and real Redis, with client sockets bound to
 * different loopback addresses (127.0.0.x) to stand for different clients:
 *   - spraying many usernames from one address is throttled (before: every attempt hashed, never a 429);
 *   - an attacker hammering the agent's username does not keep the agent out from their own address;
 *   - password hashing runs at most AGENT_LOGIN_CONCURRENT_HASHES at once, the rest get 429 (busy) at once
 *     (before: every attempt took a worker-pool thread);
 *   - an unknown username costs one hash, like a known one;
 *   - behind a trusted proxy (TRUSTED_PROXIES) each client behind it has its own limit, and what a
 *     client writes into X-Forwarded-For itself does not give it a fresh one (before: every client
 *     shared the proxy's socket address).
 */
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import type { App } from '../../bot/app';
import { handoffModule, loadHandoffConfig, type AgentAuth } from '../../adapters/handoff';
import { loadDirectLineConfig } from '../../adapters/directline';
import { trustedProxiesOf } from '../../bot/http/clientAddress';
import { handoffDialogFactory } from '../../dialogs/handoffDialog';
import { startApp } from '../helpers/app';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { HANDOFF_DB, REDIS_URL } from './support';

const apps: App[] = [];
const prefixes: string[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  const redis = testRedis(HANDOFF_DB);
  for (const p of prefixes) await deleteByPrefix(redis, p);
  redis.disconnect();
});

async function start(env: Record<string, string> = {}): Promise<{ url: string; auth: AgentAuth }> {
  const prefix = uniquePrefix('agentlogin');
  prefixes.push(prefix);
  let auth: AgentAuth | undefined;
  const app = await startApp({ REDIS_URL, REDIS_KEY_PREFIX: prefix, ...env }, { channels: [handoffModule({ onAuth: (a) => (auth = a) })], features: [handoffDialogFactory] });
  apps.push(app);
  return { url: app.baseUrl, auth: auth! };
}

/** POST /api/agent/login from a given local address (through a proxy: with its X-Forwarded-For); the status code. */
function login(baseUrl: string, from: string, username: string, password: string, forwardedFor?: string): Promise<number> {
  const url = new URL('/api/agent/login', baseUrl);
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: from, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('agent sign-in limits', () => {
  it('spraying 50 usernames from one address is throttled; another address still signs in', async () => {
    const { url } = await start({ AGENT_LOGIN_ADDRESS_ATTEMPTS: '12' });
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push(await login(url, '127.0.0.2', `user${i}`, 'guess-123'));
    expect(statuses.slice(0, 12).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(12).every((s) => s === 429)).toBe(true);
    expect(await login(url, '127.0.0.3', 'agent', 'agent123')).toBe(200);
  });

  it('an attacker hammering the agent username does not lock the agent out', async () => {
    const { url } = await start();
    const attacker: number[] = [];
    for (let i = 0; i < 14; i++) attacker.push(await login(url, '127.0.0.4', 'agent', `wrong-${i}`));
    expect(attacker.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(await login(url, '127.0.0.5', 'agent', 'agent123')).toBe(200);
    expect(await login(url, '127.0.0.4', 'agent', 'agent123')).toBe(429); // the attacker's address stays paused
  });

  it('concurrent hashing is bounded: at most 2 at once, the rest answered 429 (busy) at once; unknown usernames are hashed too', async () => {
    const { url, auth } = await start();
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => login(url, `127.0.1.${i + 1}`, i % 2 ? 'agent' : `nobody${i}`, 'wrong-pass')));
    expect(auth.hashing.peak).toBeLessThanOrEqual(2);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    const before = auth.hashing.total;
    expect(await login(url, '127.0.2.1', 'no-such-agent', 'whatever')).toBe(401);
    expect(auth.hashing.total).toBe(before + 1);
  });

  it('behind one trusted proxy, two clients get separate limits; a spoofed first hop does not escape', async () => {
    const { url } = await start({ TRUSTED_PROXIES: '1', AGENT_LOGIN_ADDRESS_ATTEMPTS: '3' });
    const proxy = '127.0.0.7'; // every request reaches us from the proxy's socket
    const a: number[] = [];
    for (let i = 0; i < 5; i++) a.push(await login(url, proxy, `user${i}`, 'guess-123', '203.0.113.1'));
    expect(a).toEqual([401, 401, 401, 429, 429]);
    // Another client behind the same proxy has its own allowance.
    expect(await login(url, proxy, 'someone', 'guess-123', '203.0.113.2')).toBe(401);
    expect(await login(url, proxy, 'agent', 'agent123', '203.0.113.2')).toBe(200);
    // A client writing a new first hop each time: the proxy appends the real address, which is counted.
    const spoofer: number[] = [];
    for (let i = 0; i < 5; i++) spoofer.push(await login(url, proxy, `user${i}`, 'guess-123', `10.9.9.${i}, 203.0.113.3`));
    expect(spoofer).toEqual([401, 401, 401, 429, 429]);
  });

  it('DIRECTLINE_TRUSTED_PROXIES is the fallback; TRUSTED_PROXIES wins; a bad value stops start-up naming it', () => {
    expect(trustedProxiesOf({})).toBe(0);
    expect(trustedProxiesOf({ DIRECTLINE_TRUSTED_PROXIES: '2' })).toBe(2);
    expect(trustedProxiesOf({ DIRECTLINE_TRUST_PROXY: 'true' })).toBe(1);
    expect(trustedProxiesOf({ TRUSTED_PROXIES: '1', DIRECTLINE_TRUSTED_PROXIES: '2' })).toBe(1);
    expect(trustedProxiesOf({ TRUSTED_PROXIES: '0', DIRECTLINE_TRUSTED_PROXIES: '2' })).toBe(0);
    expect(() => trustedProxiesOf({ TRUSTED_PROXIES: 'yes' })).toThrow(/TRUSTED_PROXIES/);
    expect(loadHandoffConfig({ DIRECTLINE_TRUSTED_PROXIES: '1' }).trustedProxies).toBe(1);
    expect(loadDirectLineConfig({ TRUSTED_PROXIES: '2' }).trustedProxies).toBe(2);
  });
});
