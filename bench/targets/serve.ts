/**
 * What every bench target shares: it listens on PORT (0 → an ephemeral port) on 127.0.0.1,
 * prints "listening <url>" once ready (bench/lib/processes.ts waits for that line), and
 * closes cleanly on SIGTERM so Redis connections do not linger between cells.
 */
export function announce(url: string, close: () => Promise<void>): void {
  process.stdout.write(`listening ${url}\n`);
  let closing = false;
  process.on('SIGTERM', () => {
    if (closing) return;
    closing = true;
    close()
      .catch((err: unknown) => process.stderr.write(`close failed: ${String(err)}\n`))
      .finally(() => process.exit(0));
  });
}

export function port(): number {
  return Number(process.env.PORT ?? 0);
}
