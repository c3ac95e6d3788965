/**
 * Starts one bench target in its own Node process (node --import tsx bench/targets/<x>.ts),
 * so the system under test never shares an event loop with the load generator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Target {
  name: string;
  url: string;
  proc: ChildProcess;
  /** Everything the process wrote (stdout and stderr). */
  output(): string;
  stop(): Promise<number | null>;
}

export function startTarget(name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Target> {
  // BENCH_NODE_ARGS (e.g. "--max-semi-space-size=16") goes to every target alike, so ratios stay fair.
  const shared = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, ['--import', 'tsx', ...shared, ...nodeArgs, path.join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${name} did not start within 60 s:\n${out}`));
    }, 60_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:\n${out}`));
    };
    proc.once('exit', onExit);
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening (http\S+)/.exec(out);
      if (!m) return;
      proc.stdout.removeAllListeners('data');
      proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
      proc.off('exit', onExit);
      clearTimeout(timer);
      resolve({
        name,
        url: m[1],
        proc,
        output: () => out,
        stop: async () => {
          if (proc.exitCode === null && proc.signalCode === null) {
            proc.kill('SIGTERM');
            const forced = setTimeout(() => proc.kill('SIGKILL'), 15_000);
            const code = await exited;
            clearTimeout(forced);
            return code;
          }
          return exited;
        },
      });
    });
  });
}
