/** A redis-server a test can take away and bring back (outage tests). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server of the test's own (no persistence), ready to accept connections. */
export function startRedis(port: number, extraArgs: string[] = []): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: ['ignore', 'pipe', 'ignore'] });
  return readyWhen(proc, 'Ready to accept connections', 'redis-server');
}

/**
 * A throwaway redis-sentinel on `port` watching the master at 127.0.0.1:masterPort as
 * `masterName` (quorum 1). Its config goes to a temp dir of its own (Sentinel rewrites it).
 */
export function startSentinel(
  port: number,
  master: { port: number; name: string; password?: string; sentinelPassword?: string },
): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'musaed-sentinel-'));
  const file = join(dir, 'sentinel.conf');
  const lines = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${master.name} 127.0.0.1 ${master.port} 1`,
    master.password ? `sentinel auth-pass ${master.name} ${master.password}` : '',
    master.sentinelPassword ? `requirepass ${master.sentinelPassword}` : '',
  ];
  writeFileSync(file, lines.filter(Boolean).join('\n') + '\n');
  const proc = spawn('redis-sentinel', [file], { stdio: ['ignore', 'pipe', 'ignore'] });
  proc.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return readyWhen(proc, `+monitor master ${master.name}`, 'redis-sentinel');
}

function readyWhen(proc: ChildProcess, line: string, name: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes(line)) resolve(proc);
    });
    proc.once('exit', (code) => reject(new Error(`${name} exited ${code}: ${out}`)));
  });
}

/** Kills it at once, as an outage would. */
export async function stopRedis(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
}
