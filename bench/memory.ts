/**
 * Memory of one replica for sizing (issue #21, "For operators"): the production start
 * (`node dist/bot/start.js`, NODE_ENV=production, Redis state, the simulator in its own
 * process as the services API) driven by bench/run.ts's product script over /api/messages
 * at each concurrency in turn. RSS is sampled every 100 ms; the kernel's high-water mark
 * (VmHWM) is read at the end.
 *
 *   npm run build && node --import tsx bench/memory.ts
 *   MEMORY_SECONDS (default 20 per cell), MEMORY_CONNECTIONS (default 50,200)
 *   MEMORY_REDIS_URL (default redis://127.0.0.1:6379/6; its own key prefix, removed after)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { runCell } from './lib/load';
import { ROOT, startTarget } from './lib/processes';
import { deleteByPrefix } from './lib/probes';
import { PRODUCT_SCRIPT } from './lib/scripts';

const SECONDS = Number(process.env.MEMORY_SECONDS ?? 20);
const CONNECTIONS = (process.env.MEMORY_CONNECTIONS ?? '50,200').split(',').map(Number);
const REDIS_URL = process.env.MEMORY_REDIS_URL ?? 'redis://127.0.0.1:6379/6';
const PREFIX = `bench:memory:${randomBytes(3).toString('hex')}:`;
const secret = () => randomBytes(24).toString('hex');

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

const port = await new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  });
});
const services = await startTarget('sim', 'bench/targets/sim.ts', {});
const bot = spawn(process.execPath, [path.join(ROOT, 'dist/bot/start.js')], {
  cwd: ROOT,
  env: {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    REDIS_URL,
    REDIS_KEY_PREFIX: PREFIX,
    SERVICES_API_URL: services.url,
    MESSAGES_ENDPOINT: 'unauthenticated',
    ALLOWED_SERVICE_URLS: 'http://127.0.0.1:9',
    PUBLIC_URL: 'http://bench.invalid',
    CONNECTOR_SECRET: secret(),
    PII_HASH_SECRET: secret(),
    DIRECTLINE_SECRET: secret(),
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const pid = bot.pid ?? 0;
const url = `http://127.0.0.1:${port}`;
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, status(pid, 'VmRSS'))), 100);
try {
  for (;;) {
    if (bot.exitCode !== null) throw new Error(`the bot exited ${bot.exitCode}`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(`ready: RSS ${status(pid, 'VmRSS')} MB`);
  for (const c of CONNECTIONS) {
    const r = await runCell({ url, connections: c, seconds: SECONDS, script: PRODUCT_SCRIPT, conversationPrefix: `${PREFIX}c${c}`, pid });
    console.log(`C=${c}: ${r.turns} turns (${r.turnsPerSec.toFixed(0)}/s, ${r.errors} errors, p95 ${r.p95.toFixed(0)} ms), ${r.conversations} conversations; RSS now ${status(pid, 'VmRSS')} MB, peak so far ${Math.max(peak, status(pid, 'VmRSS'))} MB`);
  }
  console.log(`peak RSS (VmHWM) ${status(pid, 'VmHWM')} MB; sampled peak ${peak} MB`);
} finally {
  clearInterval(sampler);
  bot.kill('SIGTERM');
  await new Promise((r) => bot.once('exit', r));
  await services.stop();
  const redis = new Redis(REDIS_URL);
  await deleteByPrefix(redis, PREFIX);
  redis.disconnect();
}
