/** Child processes for multi-process tests: started with tsx, ready when they print their URL. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// import.meta.url rather than __dirname: bench scripts load this file as plain ESM (tsx), not only vitest.
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
/** Node with the tsx loader: one process, so signals reach our handlers directly. */
export const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;

export interface Child {
  proc: ChildProcess;
  url: string;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** `script`: a .ts file runs through tsx, built JavaScript (a .js or .cjs file) with plain Node. */
export function startProcess(script: string, env: Record<string, string>, readyPattern = /listening (http\S+)/): Promise<Child> {
  const file = path.join(ROOT, script);
  const proc = spawn(NODE_TSX[0], script.endsWith('.ts') ? [...NODE_TSX.slice(1), file] : [file], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = readyPattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          proc,
          url: m[1] ?? '',
          output: () => out,
          stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
            if (proc.exitCode === null) proc.kill(signal);
            return exited;
          },
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${out}`));
    });
  });
}
