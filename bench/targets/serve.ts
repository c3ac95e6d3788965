/**
 * What every bench target shares: it listens on PORT (0 → an ephemeral port) on 127.0.0.1,
 * prints "listening <url>" once ready (bench/lib/processes.ts waits for that line), and
 * closes cleanly on SIGTERM so Redis connections do not linger between cells.
 * With BENCH_CPU_PROFILE=<file>, SIGUSR2 starts the V8 CPU profiler and SIGTERM writes the
 * profile before closing: unlike --cpu-prof, it leaves out start-up and warm-up.
 * BENCH_HEAP_PROFILE=<file> does the same with the sampling heap profiler, counting objects
 * that garbage collection has already freed too, so it shows who allocates per turn.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';

async function profiler(file: string): Promise<() => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // 250 µs instead of V8's 1 ms: a product turn is ~2 ms, so 1 ms samples blur it.
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  let started = false;
  process.on('SIGUSR2', () => {
    if (started) return;
    started = true;
    void session.post('Profiler.start');
  });
  return async () => {
    if (!started) return;
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
  };
}

async function heapProfiler(file: string): Promise<() => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  let started = false;
  process.on('SIGUSR2', () => {
    if (started) return;
    started = true;
    // The two include* flags are newer than @types/node's protocol types; V8 in Node 20 has them.
    const params: object = { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
    void session.post('HeapProfiler.startSampling', params);
  });
  return async () => {
    if (!started) return;
    const { profile } = await session.post('HeapProfiler.stopSampling');
    fs.writeFileSync(file, JSON.stringify(profile));
  };
}

export async function announce(url: string, close: () => Promise<void>): Promise<void> {
  const cpuFile = process.env.BENCH_CPU_PROFILE;
  const heapFile = process.env.BENCH_HEAP_PROFILE;
  const writeProfile = heapFile ? await heapProfiler(heapFile) : cpuFile ? await profiler(cpuFile) : async () => undefined;
  process.stdout.write(`listening ${url}\n`);
  let closing = false;
  process.on('SIGTERM', () => {
    if (closing) return;
    closing = true;
    writeProfile()
      .then(close)
      .catch((err: unknown) => process.stderr.write(`close failed: ${String(err)}\n`))
      .finally(() => process.exit(0));
  });
}

export function port(): number {
  return Number(process.env.PORT ?? 0);
}
