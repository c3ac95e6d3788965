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
  master: { port: number; name: string; password?: string; sentinelPassword?: string; quorum?: number; downAfterMs?: number; failoverTimeoutMs?: number },
): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'musaed-sentinel-'));
  const file = join(dir, 'sentinel.conf');
  const lines = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${master.name} 127.0.0.1 ${master.port} ${master.quorum ?? 1}`,
    master.downAfterMs ? `sentinel down-after-milliseconds ${master.name} ${master.downAfterMs}` : '',
    master.failoverTimeoutMs ? `sentinel failover-timeout ${master.name} ${master.failoverTimeoutMs}` : '',
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

/** A Sentinel set of the test's own: 1 master, `replicas` replicas and `sentinels` sentinels (quorum 2), all on free ports. */
export interface SentinelSet {
  name: string;
  /** REDIS_URL for it (redis-sentinel://…/name). */
  url: string;
  sentinelPorts: number[];
  /** The redis-server processes by port (a killed one is gone until restarted). */
  servers: Map<number, ChildProcess>;
  /** Port of the master the sentinels name now. */
  masterPort(): Promise<number>;
  /** Waits until the sentinels name another master than `oldPort`; resolves with its port. */
  switched(oldPort: number, timeoutMs?: number): Promise<number>;
  /** Starts a redis-server on `port` again (empty: no persistence), as a supervisor would. */
  restart(port: number): Promise<void>;
  /** Waits until the master has `n` replicas online. */
  replicasOnline(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startSentinelSet(options: { replicas?: number; sentinels?: number; downAfterMs?: number; name?: string } = {}): Promise<SentinelSet> {
  const name = options.name ?? 'musaedfo';
  const servers = new Map<number, ChildProcess>();
  // A replica writes the RDB it receives to its directory: a temp dir, not the repository.
  const dir = mkdtempSync(join(tmpdir(), 'musaed-sentinel-set-'));
  const node = (port: number, extra: string[] = []) => startRedis(port, ['--dir', mkdtempSync(join(dir, `${port}-`)), ...extra]);
  const sentinels: ChildProcess[] = [];
  const masterPort = await freePort();
  servers.set(masterPort, await node(masterPort));
  for (let i = 0; i < (options.replicas ?? 1); i++) {
    const port = await freePort();
    servers.set(port, await node(port, ['--replicaof', '127.0.0.1', String(masterPort)]));
  }
  const sentinelPorts: number[] = [];
  for (let i = 0; i < (options.sentinels ?? 3); i++) {
    const port = await freePort();
    sentinelPorts.push(port);
    sentinels.push(await startSentinel(port, { port: masterPort, name, quorum: 2, downAfterMs: options.downAfterMs ?? 1000, failoverTimeoutMs: 5000 }));
  }
  const { Redis } = await import('ioredis');
  const ask = async <T>(fn: (s: InstanceType<typeof Redis>) => Promise<T>): Promise<T> => {
    let last: unknown;
    for (const port of sentinelPorts) {
      const s = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await s.connect();
        return await fn(s);
      } catch (err) {
        last = err;
      } finally {
        s.disconnect();
      }
    }
    throw last;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const set: SentinelSet = {
    name,
    url: `redis-sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${name}`,
    sentinelPorts,
    servers,
    masterPort: () => ask(async (s) => Number(((await s.call('SENTINEL', 'get-master-addr-by-name', name)) as string[])[1])),
    async switched(oldPort, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const now = await set.masterPort().catch(() => oldPort);
        if (now !== oldPort) return now;
        if (Date.now() > until) throw new Error(`the sentinels still name ${oldPort} after ${timeoutMs} ms`);
        await sleep(100);
      }
    },
    async restart(port) {
      servers.set(port, await node(port));
    },
    async replicasOnline(n, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const port = await set.masterPort();
        const info = await (async () => {
          const m = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
          try {
            await m.connect();
            return await m.info('replication');
          } catch {
            return '';
          } finally {
            m.disconnect();
          }
        })();
        const online = (info.match(/state=online/g) ?? []).length;
        if (/role:master/.test(info) && online >= n) return;
        if (Date.now() > until) throw new Error(`master ${port} has ${online} of ${n} replicas online after ${timeoutMs} ms`);
        await sleep(100);
      }
    },
    async stop() {
      await Promise.all([...sentinels, ...servers.values()].map((p) => stopRedis(p)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // Ready when every sentinel knows the other sentinels and the replicas.
  const until = Date.now() + 20_000;
  for (;;) {
    const ready = await Promise.all(
      sentinelPorts.map(async (port) => {
        const s = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
        try {
          const others = (await s.call('SENTINEL', 'sentinels', name)) as unknown[];
          const replicas = (await s.call('SENTINEL', 'replicas', name)) as unknown[];
          return others.length >= sentinelPorts.length - 1 && replicas.length >= (options.replicas ?? 1);
        } finally {
          s.disconnect();
        }
      }),
    );
    if (ready.every(Boolean)) break;
    if (Date.now() > until) throw new Error('the Sentinel set did not form in 20 s');
    await sleep(200);
  }
  await set.replicasOnline(options.replicas ?? 1);
  return set;
}
