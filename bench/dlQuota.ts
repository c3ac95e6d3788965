/**
 * Issue 17's Direct Line floods on one anonymous token, against the product in a process of
 * its own (bench/targets/product.ts, Redis DB 6 under a unique prefix, removed at the end):
 * 2,000 messages, 30 uploads of 5 × 1 MB, 1,000 WebSockets; then 20 conversations uploading
 * 5 × 4.5 MB each at the same moment (DIRECTLINE_CONCURRENT_UPLOADS). Prints accepted/refused counts,
 * the target's RSS and the Redis bytes under its prefix before and after each flood.
 *   node --import tsx bench/dlQuota.ts            (the code of this checkout)
 *   DLQ_ROOT=/path/to/other/checkout node --import tsx bench/dlQuota.ts   (e.g. before the fix)
 *   DLQ_ONLY=concurrent DIRECTLINE_ANONYMOUS_PER_MINUTE=100 node --import tsx bench/dlQuota.ts   (only the last flood;
 *   DIRECTLINE_CONCURRENT_UPLOADS=1000 stands for "no bound")
 * Everything goes to 127.0.0.1; every loop is bounded in count and time.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { ROOT } from './lib/processes';

const root = process.env.DLQ_ROOT ?? ROOT;
const prefix = `bench:dlq:${randomBytes(4).toString('hex')}:`;
const redis = new Redis('redis://127.0.0.1:6379/6');
const MB = 1024 * 1024;

function startProduct(): Promise<{ url: string; pid: number; stop: () => void }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/targets/product.ts')], {
    cwd: root,
    env: { ...process.env, PORT: '0', REDIS_URL: 'redis://127.0.0.1:6379/6', REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'error', NODE_ENV: 'development', DIRECTLINE_ALLOW_ANONYMOUS: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not started:\n${out}`)), 90_000);
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening (http\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, pid: proc.pid!, stop: () => proc.kill('SIGTERM') });
      }
    });
  });
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function redisMb(): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) total += Number((await redis.memory('USAGE', key)) ?? 0);
  } while (cursor !== '0');
  return total / MB;
}

/** Runs n jobs, at most `width` at a time. */
async function pool<T>(n: number, width: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) {
      const i = next++;
      results[i] = await job(i);
    }
  }));
  return results;
}

const tally = (statuses: Array<number | string>) => statuses.reduce<Record<string, number>>((m, s) => ((m[String(s)] = (m[String(s)] ?? 0) + 1), m), {});

/** Waits until the conversation's activity count stops growing (the bot has drained), at most 90 s. */
async function drained(url: string, conv: string, token: string): Promise<number> {
  let last = -1;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const res = await fetch(`${url}/v3/directline/conversations/${conv}/activities?watermark=999999999`, { headers: { authorization: `Bearer ${token}` } });
    const n = Number(((await res.json()) as { watermark: string }).watermark);
    if (n === last || Date.now() > deadline) return n;
    last = n;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

const product = await startProduct();
const { url, pid } = product;
try {
  const conversation = async () => {
    const { token } = (await (await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string };
    const started = (await (await fetch(`${url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as { conversationId: string; streamUrl: string };
    return { token, conv: started.conversationId, streamUrl: started.streamUrl };
  };
  const report = (name: string, statuses: Array<number | string>, ms: number, before: { rss: number; redis: number }, after: { rss: number; redis: number }) =>
    console.log(`${name}: ${JSON.stringify(tally(statuses))} in ${(ms / 1000).toFixed(1)} s; RSS ${before.rss.toFixed(0)} → ${after.rss.toFixed(0)} MB; Redis ${before.redis.toFixed(2)} → ${after.redis.toFixed(2)} MB`);
  const sample = async () => ({ rss: rssMb(pid), redis: await redisMb() });

  const only = process.env.DLQ_ONLY;
  // 1. 2,000 messages on one token.
  if (!only) {
    const c = await conversation();
    const before = await sample();
    let peak = before.rss;
    const t0 = Date.now();
    const statuses = await pool(2000, 50, async (i) => {
      const res = await fetch(`${url}/v3/directline/conversations/${c.conv}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', from: { id: 'x' }, text: `message ${i}` }),
      });
      await res.arrayBuffer();
      if (i % 100 === 0) peak = Math.max(peak, rssMb(pid));
      return res.status;
    });
    const ms = Date.now() - t0;
    const kept = await drained(url, c.conv, c.token);
    const after = await sample();
    report('2,000 messages', statuses, ms, before, { ...after, rss: Math.max(peak, after.rss) });
    console.log(`  activities kept: ${kept}`);
  }

  // 2. 30 uploads of 5 files × 1 MB on one token.
  if (!only) {
    const c = await conversation();
    const before = await sample();
    const file = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(MB - 8)]);
    const t0 = Date.now();
    const statuses = await pool(30, 5, async () => {
      const form = new FormData();
      for (let f = 0; f < 5; f++) form.append('file', new Blob([new Uint8Array(file)], { type: 'image/png' }), `f${f}.png`);
      const res = await fetch(`${url}/v3/directline/conversations/${c.conv}/upload`, { method: 'POST', headers: { authorization: `Bearer ${c.token}` }, body: form });
      await res.arrayBuffer();
      return res.status;
    });
    report('30 × 5 × 1 MB uploads', statuses, Date.now() - t0, before, await sample());
  }

  // 3. 1,000 WebSockets on one token.
  if (!only) {
    const c = await conversation();
    const before = await sample();
    const open: WebSocket[] = [];
    const t0 = Date.now();
    const statuses = await pool(1000, 50, () =>
      new Promise<number | string>((resolve) => {
        const ws = new WebSocket(c.streamUrl);
        const timer = setTimeout(() => (ws.terminate(), resolve('timeout')), 10_000);
        ws.once('open', () => (clearTimeout(timer), open.push(ws), resolve('open')));
        ws.once('unexpected-response', (_req, res) => (clearTimeout(timer), res.resume(), resolve(res.statusCode ?? 0)));
        ws.once('error', () => (clearTimeout(timer), resolve('error')));
      }),
    );
    const ms = Date.now() - t0;
    const after = await sample();
    report('1,000 WebSockets', statuses, ms, before, after);
    for (const ws of open) ws.close();
  }

  // 4. 20 conversations, each one upload of 5 files × 4.5 MB, all at once: peak RSS while they are read.
  if (!only || only === 'concurrent') {
    const convs = await Promise.all(Array.from({ length: 20 }, () => conversation()));
    const before = await sample();
    const file = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(4.5 * MB - 8)]);
    let peak = before.rss;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
    const t0 = Date.now();
    const statuses = await Promise.all(convs.map(async (c) => {
      const form = new FormData();
      for (let f = 0; f < 5; f++) form.append('file', new Blob([new Uint8Array(file)], { type: 'image/png' }), `f${f}.png`);
      const res = await fetch(`${url}/v3/directline/conversations/${c.conv}/upload`, { method: 'POST', headers: { authorization: `Bearer ${c.token}` }, body: form });
      await res.arrayBuffer();
      return res.status;
    }));
    clearInterval(sampler);
    const after = await sample();
    report('20 conversations × 5 × 4.5 MB at once', statuses, Date.now() - t0, before, { ...after, rss: Math.max(peak, after.rss) });
  }
} finally {
  product.stop();
  await new Promise((r) => setTimeout(r, 1500));
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}
