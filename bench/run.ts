/**
 * `npm run bench` (issue #10): the product as in production and its anchors, side by side,
 * each in its own process, driven over HTTP with expectReplies by autocannon.
 *
 *   BENCH_SECONDS      seconds per cell (default 6); BENCH_WARMUP warm-up seconds (default 2)
 *   BENCH_RAMP         first seconds of each cell left out of its figures: the opening burst (default 1)
 *   BENCH_CONNECTIONS  comma-separated C values (default 1,50,200)
 *   BENCH_SYSTEMS      comma-separated subset of: product,echo-memory,echo-redis,echo-peer,restify
 *   BENCH_REDIS_URL    default redis://127.0.0.1:6379/6 (only keys under bench:<run>: are written and removed)
 *   BENCH_PROFILE      1 (the product) or a comma-separated list of systems: CPU-profile their C=50
 *                      cell (start-up and warm-up left out) and print where the time went per turn
 *
 * Prints the table, Redis footprint, lost updates, classifier and store figures, then the
 * goals with pass/miss, and last one JSON line with every figure.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { runCell, type CellResult } from './lib/load';
import { ROOT, startTarget, type Target } from './lib/processes';
import { deleteByPrefix, footprint, lostUpdates, turn, type Footprint, type LostUpdates } from './lib/probes';
import { ECHO_SCRIPT, FIXED_SCRIPT, PRODUCT_SCRIPT, STATUS_PROBE, type Script } from './lib/scripts';
import { storeCeiling, type StoreOps } from './lib/storeCeiling';
import { timeClassifier } from './lib/classifier';
import { summarizeProfile } from './lib/profile';
import { round, summarize } from './lib/stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const RAMP = Number(process.env.BENCH_RAMP ?? 1);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '1,50,200').split(',').map(Number);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/6';
const PROFILE = new Set(process.env.BENCH_PROFILE === '1' ? ['product'] : (process.env.BENCH_PROFILE ?? '').split(',').filter(Boolean));
const RUN = randomBytes(3).toString('hex');
const PREFIX = `bench:${RUN}:`;
const IDLE_CONVERSATIONS = 20;

type SystemKey = 'product' | 'echo-memory' | 'echo-redis' | 'echo-peer' | 'restify';

interface System {
  key: SystemKey;
  label: string;
  script: string;
  env: Record<string, string>;
  load: Script;
  /** Whether the lost-update probe runs on this target (echo bots count every turn). */
  counts: boolean;
}

const redisEnv = { REDIS_URL, LOG_LEVEL: 'warn' };
/**
 * What production requires (bot/config.ts), for the targets run with NODE_ENV=production. The
 * load posts to /api/messages without Bot Framework tokens (expectReplies, serviceUrl
 * http://127.0.0.1:9/, never called), so that endpoint is explicitly unauthenticated and
 * allows only that serviceUrl; nothing here uses PUBLIC_URL.
 */
const productionEnv = {
  NODE_ENV: 'production',
  MESSAGES_ENDPOINT: 'unauthenticated',
  ALLOWED_SERVICE_URLS: 'http://127.0.0.1:9',
  CONNECTOR_SECRET: randomBytes(24).toString('hex'),
  PUBLIC_URL: 'http://bench.invalid',
  SERVICES_API_URL: 'http://127.0.0.1:9',
  PII_HASH_SECRET: randomBytes(24).toString('hex'),
};
const SYSTEMS: System[] = [
  {
    key: 'product',
    label: 'product (Musaed)',
    script: 'bench/targets/product.ts',
    env: { ...redisEnv, ...productionEnv, REDIS_KEY_PREFIX: `${PREFIX}product:`, DIRECTLINE_SECRET: randomBytes(24).toString('hex') },
    load: PRODUCT_SCRIPT,
    counts: false,
  },
  { key: 'echo-memory', label: 'echo, MemoryStorage', script: 'bench/targets/echo.ts', env: { STORAGE: 'memory' }, load: ECHO_SCRIPT, counts: true },
  { key: 'echo-redis', label: 'echo, our RedisStorage', script: 'bench/targets/echo.ts', env: { ...redisEnv, STORAGE: 'redis', REDIS_KEY_PREFIX: `${PREFIX}echo-redis:` }, load: ECHO_SCRIPT, counts: true },
  { key: 'echo-peer', label: 'echo, botbuilder-storage-redis', script: 'bench/targets/echo.ts', env: { ...redisEnv, STORAGE: 'peer', REDIS_KEY_PREFIX: `${PREFIX}echo-peer:` }, load: ECHO_SCRIPT, counts: true },
  { key: 'restify', label: 'bare restify', script: 'bench/targets/restify.ts', env: {}, load: FIXED_SCRIPT, counts: false },
];
const selected = new Set((process.env.BENCH_SYSTEMS ?? SYSTEMS.map((s) => s.key).join(',')).split(',').map((s) => s.trim()));

const log = (line = '') => process.stdout.write(`${line}\n`);
const todos: string[] = [];
const cells: Partial<Record<SystemKey, CellResult[]>> = {};
const lost: Record<string, LostUpdates> = {};
const notes: string[] = [];
let productRun: (Footprint & { conversations: number; perConversation: number }) | undefined;
let idle: (Footprint & { conversations: number; perConversation: number }) | undefined;
const profiles: Array<{ key: SystemKey; turns: number; summary: ReturnType<typeof summarizeProfile> }> = [];

function cellLine(label: string, r: CellResult): string {
  const cols = [
    label.padEnd(32),
    String(r.connections).padStart(4),
    r.turnsPerSec.toFixed(0).padStart(8),
    r.p50.toFixed(1).padStart(8),
    r.p95.toFixed(1).padStart(8),
    r.p99.toFixed(1).padStart(8),
    String(r.errors).padStart(7),
    String(r.unexpected).padStart(7),
    r.cpuMsPerTurn.toFixed(2).padStart(9),
  ];
  return cols.join(' ');
}

interface ProbeStep {
  step: string;
  ms: number[];
  unexpected: number;
}
const statusProbe: ProbeStep[] = [];

/** Verified status lookups one turn at a time (see STATUS_PROBE): latency per step of the flow. */
async function probeStatus(target: Target): Promise<void> {
  for (const [i, turns] of STATUS_PROBE.entries()) {
    for (const probe of turns) {
      const started = process.hrtime.bigint();
      const reply = await turn(target.url, `${PREFIX}status-${i}`, probe.text);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      let slot = statusProbe.find((s) => s.step === probe.step);
      if (!slot) statusProbe.push((slot = { step: probe.step, ms: [], unexpected: 0 }));
      slot.ms.push(ms);
      if (!reply.includes(probe.expect)) {
        slot.unexpected++;
        notes.push(`status probe, ${probe.step}: unexpected reply: ${reply.slice(0, 200)}`);
      }
    }
  }
}

async function loadSystem(system: System, redis: Redis): Promise<void> {
  const profileFile = path.join(os.tmpdir(), `musaed-bench-${RUN}-${system.key}.cpuprofile`);
  const profiling = PROFILE.has(system.key);
  let profiledTurns = 0;
  // The product's services API: the simulator in its own process, as the real API is another system.
  const services = system.key === 'product' ? await startTarget('sim', 'bench/targets/sim.ts', {}) : undefined;
  const target = await startTarget(system.key, system.script, {
    ...system.env,
    ...(services ? { SERVICES_API_URL: services.url } : {}),
    ...(profiling ? { BENCH_CPU_PROFILE: profileFile } : {}),
  }).catch(async (err: unknown) => {
    await services?.stop();
    throw err;
  });
  let minted = 0;
  try {
    if (system.key === 'product') for (const p of PRODUCT_SCRIPT.pending) todos.push(`product script: ${p.name}: ${p.todo}`);
    const warm = await runCell({ url: target.url, connections: 50, seconds: WARMUP, script: system.load, conversationPrefix: `${PREFIX}${system.key}-warm`, rampSeconds: 0 });
    minted += warm.conversations;
    const results: CellResult[] = [];
    for (const c of CONNECTIONS) {
      if (profiling && c === 50) target.proc.kill('SIGUSR2');
      const r = await runCell({ url: target.url, connections: c, seconds: SECONDS, script: system.load, conversationPrefix: `${PREFIX}${system.key}-c${c}`, pid: target.proc.pid, rampSeconds: RAMP });
      minted += r.conversations;
      if (profiling && c === 50) profiledTurns = r.turns;
      results.push(r);
      log(cellLine(system.label, r));
      if (r.sample) notes.push(`${system.key} C=${c}: ${r.unexpected} unexpected replies, first: ${r.sample}`);
    }
    cells[system.key] = results;

    if (system.key === 'product') {
      const prefix = `${PREFIX}product:`;
      const f = await footprint(redis, prefix);
      productRun = { ...f, conversations: minted, perConversation: f.bytes / Math.max(1, minted) };
      await probeStatus(target);
      const idleTag = `${PREFIX}idle`;
      for (let i = 0; i < IDLE_CONVERSATIONS; i++) await turn(target.url, `${idleTag}-${i}`, 'السلام عليكم');
      const fi = await footprint(redis, prefix, `*${idleTag}-*`);
      idle = { ...fi, conversations: IDLE_CONVERSATIONS, perConversation: fi.bytes / IDLE_CONVERSATIONS };
    }
    if (system.counts) lost[system.key] = await lostUpdates(target.url, `${PREFIX}${system.key}-lost`, 'count');
  } finally {
    await target.stop();
    await services?.stop();
    const noisy = target
      .output()
      .split('\n')
      .filter((l) => /"level":"(warn|error|fatal)"/.test(l) && !/no agent credentials|MESSAGES_ENDPOINT=unauthenticated|OPS_TOKEN is not set/.test(l));
    if (noisy.length) notes.push(`${system.key} logged ${noisy.length} warn/error lines; first: ${noisy[0].slice(0, 300)}`);
  }
  if (profiling && profiledTurns > 0) profiles.push({ key: system.key, turns: profiledTurns, summary: summarizeProfile(profileFile, 14) });
}

async function productLostUpdates(): Promise<void> {
  const target = await startTarget('counting', 'bench/targets/counting.ts', { ...redisEnv, ...productionEnv, REDIS_KEY_PREFIX: `${PREFIX}counting:` });
  try {
    lost.product = await lostUpdates(target.url, `${PREFIX}product-lost`, 'السلام عليكم');
  } finally {
    await target.stop();
  }
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;

async function main(): Promise<void> {
  const started = Date.now();
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const url = new URL(REDIS_URL);
  log(`Musaed bench ${RUN}: ${os.cpus().length} cores, Node ${process.version}, ${SECONDS} s per cell, the first ${RAMP} s of each not counted (warm-up ${WARMUP} s at C=50), C = ${CONNECTIONS.join(', ')}, Redis ${url.host} db ${url.pathname.slice(1) || '0'}, load average ${os.loadavg()[0].toFixed(2)}`);
  log(`load: POST /api/messages, deliveryMode expectReplies, 2×C conversations per cell; product script${PRODUCT_SCRIPT.once ? ' (each conversation once, then a new one)' : ''}: ${PRODUCT_SCRIPT.steps.map((s) => s.name).join(' → ')}`);
  for (const p of PRODUCT_SCRIPT.pending) log(`  not in the load mix yet: ${p.name} (see TODO below)`);
  log();
  log(`${'system'.padEnd(32)} ${'C'.padStart(4)} ${'turns/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'unexp.'.padStart(7)} ${'CPU ms/turn'.padStart(9)}`);
  let store: StoreOps[] = [];
  try {
    for (const system of SYSTEMS) if (selected.has(system.key)) await loadSystem(system, redis);
    if (selected.has('product')) await productLostUpdates();
    store = await storeCeiling(redis, { host: url.hostname, port: Number(url.port || 6379), db: Number(url.pathname.slice(1) || 0), key: `${PREFIX}rb`, requests: 100_000 });
  } finally {
    await deleteByPrefix(redis, PREFIX);
    redis.disconnect();
  }
  const classifier = await timeClassifier();

  for (const s of store) log(`${`redis-benchmark ${s.op}`.padEnd(32)} ${'50'.padStart(4)} ${s.opsPerSec.toFixed(0).padStart(8)} ${s.p50.toFixed(2).padStart(8)} ${''.padStart(8)} ${s.p99.toFixed(2).padStart(8)}${s.tool === 'ioredis' ? '  (ioredis, unpipelined: redis-benchmark not found)' : ''}`);

  // Ratios of the product to each anchor, per C.
  const product = cells.product;
  if (product && (['echo-memory', 'echo-redis', 'echo-peer', 'restify'] as const).some((k) => cells[k])) {
    log();
    log(`product / anchor: turns/s ratio, p99 ratio`);
    log(`${'anchor'.padEnd(32)} ${CONNECTIONS.map((c) => `C=${c}`.padStart(18)).join('')}`);
    for (const key of ['echo-memory', 'echo-redis', 'echo-peer', 'restify'] as const) {
      const anchor = cells[key];
      if (!anchor) continue;
      const label = SYSTEMS.find((s) => s.key === key)?.label ?? key;
      log(`${label.padEnd(32)} ${product.map((p, i) => `${ratio(p.turnsPerSec, anchor[i].turnsPerSec).toFixed(2)}, ${ratio(p.p99, anchor[i].p99).toFixed(2)}×`.padStart(18)).join('')}`);
    }
  }

  log();
  if (productRun) {
    const kinds = Object.entries(productRun.byKind).map(([k, v]) => `${k} ${kb(v.bytes / productRun!.conversations)}`).join(', ');
    log(`Redis after the run: ${productRun.keys} keys, ${kb(productRun.bytes)} for ${productRun.conversations} conversations = ${kb(productRun.perConversation)} per conversation (${kinds})`);
  }
  if (idle) {
    const kinds = Object.entries(idle.byKind).map(([k, v]) => `${k} ${kb(v.bytes / idle!.conversations)}`).join(', ');
    log(`Redis per idle conversation (one greeting turn, ${idle.conversations} conversations): ${kb(idle.perConversation)} (${kinds})`);
  }
  if (statusProbe.length) {
    const parts = statusProbe.map((s) => `${s.step} ${summarize(s.ms).p50.toFixed(0)} ms${s.unexpected ? ` (${s.unexpected} unexpected)` : ''}`);
    log(`status lookup with verification, C=1, ${STATUS_PROBE.length} demo identities, p50 per turn: ${parts.join('; ')}`);
  }
  for (const [key, l] of Object.entries(lost)) {
    log(`lost updates, ${key.padEnd(12)}: ${l.lost} of ${l.sent + 1} (counter ${l.final}, expected ${l.expected}; ${l.duplicates} duplicate counts among the 50 replies)`);
  }
  log(
    classifier.available
      ? `classifier: recognize() p50 ${classifier.p50Ms.toFixed(3)} ms, p99 ${classifier.p99Ms.toFixed(3)} ms per utterance (${classifier.utterances} evaluation texts, median of ${classifier.passes} runs each; training ${classifier.trainMs.toFixed(0)} ms); slowest ${classifier.slowest.ms.toFixed(2)} ms: "${classifier.slowest.text}"`
      : `classifier: n/a (${classifier.reason})`,
  );

  // Goals (issue #10).
  const at50 = (key: SystemKey) => cells[key]?.[CONNECTIONS.indexOf(50)];
  const goals: Array<{ goal: string; value: string; pass: boolean | null }> = [];
  const p50c = at50('product');
  const m50c = at50('echo-memory');
  const r50c = at50('echo-redis');
  if (p50c && m50c) {
    goals.push({ goal: 'product turns ≥ 60% of the MemoryStorage echo bot at C=50', value: `${(ratio(p50c.turnsPerSec, m50c.turnsPerSec) * 100).toFixed(0)}%`, pass: p50c.turnsPerSec >= 0.6 * m50c.turnsPerSec });
    goals.push({ goal: 'product p99 ≤ 1.5× the echo bot at C=50', value: `${ratio(p50c.p99, m50c.p99).toFixed(2)}×`, pass: p50c.p99 <= 1.5 * m50c.p99 });
  }
  if (r50c && m50c) goals.push({ goal: 'our RedisStorage echo ≥ 90% of MemoryStorage at C=50', value: `${(ratio(r50c.turnsPerSec, m50c.turnsPerSec) * 100).toFixed(0)}%`, pass: r50c.turnsPerSec >= 0.9 * m50c.turnsPerSec });
  if (lost.product) goals.push({ goal: '0 lost updates (product)', value: `${lost.product.lost}${lost['echo-peer'] ? ` (peer: ${lost['echo-peer'].lost})` : ''}`, pass: lost.product.lost === 0 });
  if (idle) goals.push({ goal: '≤ 4 KB of Redis per idle conversation', value: kb(idle.perConversation), pass: idle.perConversation <= 4096 });
  goals.push({ goal: 'classification p99 < 1 ms', value: classifier.available ? `${classifier.p99Ms.toFixed(3)} ms` : 'n/a', pass: classifier.available ? classifier.p99Ms < 1 : null });
  log();
  log('goals:');
  for (const g of goals) log(`  ${g.pass === null ? 'n/a ' : g.pass ? 'PASS' : 'MISS'}  ${g.goal}: ${g.value}`);
  if (p50c && m50c) {
    // The same comparison by CPU spent per turn, which other load on the machine disturbs less.
    log(`  (by CPU ms/turn at C=50 the product runs at ${(ratio(m50c.cpuMsPerTurn, p50c.cpuMsPerTurn) * 100).toFixed(0)}% of the echo bot's rate${r50c ? `, our RedisStorage echo at ${(ratio(m50c.cpuMsPerTurn, r50c.cpuMsPerTurn) * 100).toFixed(0)}%` : ''})`);
  }

  for (const { key, turns, summary } of profiles) {
    const line = (h: { name: string; ms: number; share: number }) => `    ${(h.share * 100).toFixed(1).padStart(5)}%  ${(h.ms / turns).toFixed(3)} ms/turn  ${h.name}`;
    log();
    log(`${key}: CPU profile of its C=50 cell (${summary.totalMs.toFixed(0)} ms busy over ${turns} turns = ${(summary.totalMs / turns).toFixed(2)} ms/turn), self time by package:`);
    for (const h of summary.byPackage) log(line(h));
    log('  by function:');
    for (const h of summary.byFunction) log(line(h));
  }
  for (const t of todos) log(`TODO ${t}`);
  for (const n of notes) log(`note: ${n}`);
  const elapsed = (Date.now() - started) / 1000;
  log(`(${elapsed.toFixed(0)} s; load average now ${os.loadavg()[0].toFixed(2)}: anything above ~1 means other processes shared the cores, so read turns/s as noisy and CPU ms/turn as the steadier figure)`);

  const cellJson = (r: CellResult) => ({ c: r.connections, turnsPerSec: round(r.turnsPerSec), p50: round(r.p50, 2), p95: round(r.p95, 2), p99: round(r.p99, 2), errors: r.errors, unexpected: r.unexpected, cpuMsPerTurn: round(r.cpuMsPerTurn, 2) });
  const summary = JSON.stringify({
    bench: 'musaed',
    run: RUN,
    cores: os.cpus().length,
    node: process.version,
    seconds: SECONDS,
    elapsedSeconds: round(elapsed),
    loadAverage: round(os.loadavg()[0], 2),
    script: PRODUCT_SCRIPT.steps.map((s) => s.name),
    systems: Object.fromEntries(Object.entries(cells).map(([k, rs]) => [k, rs.map(cellJson)])),
    ratios: product
      ? Object.fromEntries(
          (['echo-memory', 'echo-redis', 'echo-peer', 'restify'] as const)
            .filter((k) => cells[k])
            .map((k) => [k, product.map((p, i) => ({ c: p.connections, turns: round(ratio(p.turnsPerSec, cells[k]![i].turnsPerSec), 3), p99: round(ratio(p.p99, cells[k]![i].p99), 3) }))]),
        )
      : {},
    store: store.map((s) => ({ op: s.op, opsPerSec: round(s.opsPerSec, 0), p50: s.p50, p99: s.p99, tool: s.tool })),
    redisBytesPerConversation: productRun ? Math.round(productRun.perConversation) : null,
    redisBytesPerIdleConversation: idle ? Math.round(idle.perConversation) : null,
    redisIdleByKind: idle ? Object.fromEntries(Object.entries(idle.byKind).map(([k, v]) => [k, Math.round(v.bytes / idle!.conversations)])) : null,
    statusProbe: statusProbe.map((s) => ({ step: s.step, p50: round(summarize(s.ms).p50, 1), max: round(Math.max(...s.ms), 1), unexpected: s.unexpected })),
    lostUpdates: Object.fromEntries(Object.entries(lost).map(([k, l]) => [k, { lost: l.lost, of: l.sent + 1, duplicates: l.duplicates }])),
    classifier: classifier.available
      ? { p50Ms: round(classifier.p50Ms, 4), p99Ms: round(classifier.p99Ms, 4), utterances: classifier.utterances, slowestMs: round(classifier.slowest.ms, 3), slowest: classifier.slowest.text }
      : null,
    goals: goals.map((g) => ({ goal: g.goal, value: g.value, pass: g.pass })),
    todo: todos,
  });
  // Kept for comparisons across runs (bench/results/ is git-ignored).
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}-${RUN}.json`), `${summary}\n`);
  log(summary);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
