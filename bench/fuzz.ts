/**
 * Fuzzes every body-reading route of the product (started as a child process, in-memory state)
 * with the generator of test/core/bodyFuzz.test.ts, many more cases per route.
 *   node --import tsx bench/fuzz.ts [casesPerRoute=20000] [seed=17] [concurrency=8]
 * Prints, per route, the count of each answer and of 5xx; exits 1 on any 5xx, timeout or a dead process.
 */
import fs from 'node:fs';
import { bodyRoutes, health, startProduct } from '../test/helpers/bodyRoutes';
import { fuzzRoute, type RouteTally } from '../test/helpers/bodyFuzz';

const n = Number(process.argv[2] ?? 20_000);
const seed = Number(process.argv[3] ?? 17);
const concurrency = Number(process.argv[4] ?? 8);

const product = await startProduct();
let failed = false;
try {
  const routes = await bodyRoutes(product);
  const tallies: RouteTally[] = [];
  const started = Date.now();
  for (const route of routes) {
    const t0 = Date.now();
    const tally = await fuzzRoute(product.port, route, { n, seed, concurrency, healthEvery: 500 });
    tallies.push(tally);
    const outcomes = Object.entries(tally.outcomes).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}:${v}`).join(' ');
    console.log(`${route.name.padEnd(52)} ${String(tally.cases).padStart(6)} cases  5xx=${tally.fiveXx}  ${((Date.now() - t0) / 1000).toFixed(1)} s  ${outcomes}`);
    if (tally.failures.length) console.log('  first failures:', JSON.stringify(tally.failures));
  }
  const h = await health(product.port);
  const total = tallies.reduce((s, t) => s + t.cases, 0);
  const fiveXx = tallies.reduce((s, t) => s + t.fiveXx, 0);
  const timeouts = tallies.reduce((s, t) => s + (t.outcomes.timeout ?? 0), 0);
  console.log(`total ${total} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, 5xx=${fiveXx}, timeouts=${timeouts}, /healthz ${h}, child rss ${rssOf(product.child.proc.pid)} MB`);
  failed = fiveXx > 0 || timeouts > 0 || h !== 200;
} finally {
  await product.stop();
}
process.exit(failed ? 1 : 0);

function rssOf(pid: number | undefined): string {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return String(Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024));
  } catch {
    return '?';
  }
}
