/**
 * Issue #21, items 6 and 9, over real HTTP against `npm start` processes:
 *  - /readyz says what this replica can serve: Redis down → 503; the services API down →
 *    still 200 ("degraded", the dependency named) and FAQs are answered;
 *  - SIGTERM turns /readyz to 503 while the server still serves, then it stops listening;
 *  - two processes sharing Redis without SERVICES_API_URL: the second refuses with one line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_TSX, ROOT, startProcess, type Child } from '../helpers/processes';
import { freePort, startRedis, stopRedis } from '../helpers/redisServer';
import { say } from '../helpers/http';

const LISTENING = /"url":"(http:\/\/localhost:\d+)"/;
const base = (child: Child) => child.url.replace('localhost', '127.0.0.1');

async function readyz(url: string): Promise<{ status: number; body: { status: string; checks?: Record<string, string> } }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; checks?: Record<string, string> } };
}

/** Polls until `probe` holds (readiness checks run on their own schedule; no timing is asserted). */
async function until<T>(probe: () => Promise<T>, holds: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await probe();
    if (holds(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function env(redisPort: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
    REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
    REDIS_CLUSTER_NODES: '',
    REDIS_KEY_PREFIX: 'readiness-test:',
    MESSAGES_ENDPOINT: 'unauthenticated',
    SHUTDOWN_DRAIN_MS: '0',
    ...extra,
  };
}

describe('readiness reflects what this replica can serve', () => {
  let redisPort: number;
  let redis: ChildProcess;
  let bot: Child;

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    // A services API that is down from the start: nothing listens on this port.
    bot = await startProcess('bot/main.ts', env(redisPort, { SERVICES_API_URL: `http://127.0.0.1:${await freePort()}` }), LISTENING);
  }, 180_000);

  afterAll(async () => {
    await bot?.stop('SIGKILL');
    if (redis) await stopRedis(redis);
  });

  it('stays ready with the services API down, names it, and still answers FAQs', async () => {
    const { status, body } = await readyz(base(bot));
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'degraded', checks: { redis: 'ok', services: 'unavailable' } });
    const replies = await say(base(bot), 'readiness-faq', 'Do I need an appointment at Jawazat?', { locale: 'en-US' });
    expect(replies.map((r) => r.text ?? '').join('\n')).toContain('Absher');
  });

  it('is not ready when Redis is down, and ready again when it is back', async () => {
    await stopRedis(redis);
    const down = await until(() => readyz(base(bot)), (r) => r.status !== 200);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('not_ready');
    expect(down.body.checks?.redis).toBe('unavailable');
    redis = await startRedis(redisPort);
    const back = await until(() => readyz(base(bot)), (r) => r.status === 200);
    expect(back.body.checks?.redis).toBe('ok');
  }, 60_000);
});

describe('shutdown turns readiness off before it stops listening', () => {
  it('answers /readyz 503 while still serving during the drain, then refuses connections and exits 0', async () => {
    const bot = await startProcess('bot/main.ts', { PORT: '0', HOST: '127.0.0.1', REDIS_URL: '', SHUTDOWN_DRAIN_MS: '3000', LOG_LEVEL: 'info' }, LISTENING);
    const url = base(bot);
    expect((await readyz(url)).status).toBe(200);
    const exited = bot.stop('SIGTERM');
    const draining = await until(() => readyz(url), (r) => r.status !== 200);
    expect(draining).toEqual({ status: 503, body: { status: 'stopping' } });
    // Still listening and serving: liveness and the rest answer during the drain.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    const log = bot.output();
    expect(log.indexOf('/readyz answers 503')).toBeGreaterThan(-1);
    expect(log.indexOf('/readyz answers 503')).toBeLessThan(log.indexOf('finishing turns in flight'));
  }, 180_000);
});

describe('one in-process services simulator per shared Redis', () => {
  let redisPort: number;
  let redis: ChildProcess;
  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
  });
  afterAll(async () => {
    if (redis) await stopRedis(redis);
  });

  it('refuses a second replica with one line naming SERVICES_API_URL, and lets one start after the first stops', async () => {
    const noServices = env(redisPort, { SERVICES_API_URL: '' });
    const first = await startProcess('bot/main.ts', noServices, LISTENING);
    try {
      const second = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), path.join(ROOT, 'bot/main.ts')], { cwd: ROOT, env: { ...process.env, ...noServices }, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      second.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const code = await new Promise<number | null>((r) => second.once('exit', r));
      expect(code).toBe(1);
      const lines = err.split('\n').filter((l) => l.trim() && !l.includes('DeprecationWarning') && !l.includes('--trace-deprecation'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Musaed failed to start: SERVICES_API_URL: required when replicas share Redis/);
    } finally {
      expect(await first.stop('SIGTERM')).toBe(0);
    }
    // A clean stop releases the claim at once: the next process starts.
    const third = await startProcess('bot/main.ts', noServices, LISTENING);
    expect((await fetch(`${base(third)}/healthz`)).status).toBe(200);
    await third.stop('SIGTERM');
  }, 300_000);
});
