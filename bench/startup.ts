/**
 * Start-up time to ready (issue #21, item 7): spawn the bot, poll /readyz until 200, stop it.
 * Compares the development start (TypeScript through tsx, classifier trained at start) with
 * the production start from `npm run build` output (plain JavaScript, model loaded from file).
 *
 *   node --import tsx bench/startup.ts [runs]     (default 5 runs per mode; `npm run build` first)
 *   STARTUP_MODES   comma-separated subset of: tsx, dist (the compiled modules, dist/bot/main.js),
 *                   bundle (the production start: dist/bot/start.js, one file and V8's code
 *                   cache); default all three
 *   STARTUP_REDIS_URL  default redis://127.0.0.1:6379/7 (nothing is written but the presence key)
 *
 * Prints each run and the median, min and max per mode: wall time to ready, and the CPU time
 * (user + system, all threads) the process spent until then, which barely moves when other
 * processes compete for the cores (wall time on a shared machine does), and RSS at ready.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './lib/processes';
import { cpuMs } from './lib/load';
import { freePort } from '../test/helpers/redisServer';

const RUNS = Number(process.argv[2] ?? 5);
const MODES = (process.env.STARTUP_MODES ?? 'tsx,dist,bundle').split(',');
const REDIS_URL = process.env.STARTUP_REDIS_URL ?? 'redis://127.0.0.1:6379/7';

const COMMANDS: Record<string, string[]> = {
  tsx: ['--import', 'tsx', path.join(ROOT, 'bot/main.ts')],
  dist: [path.join(ROOT, 'dist/bot/main.js')],
  bundle: [path.join(ROOT, 'dist/bot/start.js')],
};

function rssMb(pid: number | undefined): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function once(mode: string): Promise<{ readyMs: number; listeningMs: number; cpuMs: number; rssMb: number }> {
  const port = await freePort();
  const started = performance.now();
  const proc = spawn(process.execPath, COMMANDS[mode] ?? [], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL, LOG_LEVEL: 'info', REDIS_KEY_PREFIX: `startup-bench:${port}:` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let listeningMs = NaN;
  proc.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (Number.isNaN(listeningMs) && out.includes('Musaed is listening')) listeningMs = performance.now() - started;
  });
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  try {
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`${mode} exited ${proc.exitCode}:\n${out}`);
      if (performance.now() - started > 300_000) throw new Error(`${mode} not ready in 300 s:\n${out}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return { readyMs: performance.now() - started, listeningMs, cpuMs: cpuMs(proc.pid), rssMb: rssMb(proc.pid) };
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    proc.kill('SIGTERM');
    await exited;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

for (const mode of MODES) {
  const entry = COMMANDS[mode]?.[0] ?? '';
  if (mode !== 'tsx' && !fs.existsSync(entry)) {
    console.log(`${mode}: no ${path.relative(ROOT, entry)} (run \`npm run build\` first)`);
    continue;
  }
  const ready: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await once(mode);
    ready.push(r.readyMs);
    cpu.push(r.cpuMs);
    console.log(`${mode} run ${i + 1}: listening ${Math.round(r.listeningMs)} ms, /readyz 200 at ${Math.round(r.readyMs)} ms, CPU ${Math.round(r.cpuMs)} ms, RSS ${r.rssMb} MB`);
  }
  const line = (xs: number[]) => `median ${Math.round(median(xs))} ms, min ${Math.round(Math.min(...xs))} ms, max ${Math.round(Math.max(...xs))} ms`;
  console.log(`${mode}: wall to ready ${line(ready)}; CPU to ready ${line(cpu)} (${RUNS} runs, load average ${os.loadavg()[0]?.toFixed(1)})`);
}
