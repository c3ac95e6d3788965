/**
 * What every bench target shares: it listens on PORT (0 → an ephemeral port) on 127.0.0.1,
 * prints "listening <url>" once ready (bench/lib/processes.ts waits for that line), and
 * closes cleanly on SIGTERM so Redis connections do not linger between cells.
 * With BENCH_CPU_PROFILE=<file>, SIGUSR2 starts the V8 CPU profiler and SIGTERM writes the
 * profile before closing: unlike --cpu-prof, it leaves out start-up and warm-up.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';

async function profiler(file: string): Promise<() => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
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

export async function announce(url: string, close: () => Promise<void>): Promise<void> {
  const file = process.env.BENCH_CPU_PROFILE;
  const writeProfile = file ? await profiler(file) : async () => undefined;
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
