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
  // A process killed by a signal has no exit code, only signalCode: both mean it is gone.
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
}

// ---- Redis Cluster ---------------------------------------------------------------------------

export interface ClusterNode {
  port: number;
  proc: ChildProcess;
}

export interface RedisClusterHandle {
  nodes: ClusterNode[];
  /** "127.0.0.1:p1,127.0.0.1:p2,…", the form REDIS_CLUSTER_NODES takes. */
  nodesEnv: string;
  /** The node serving `slot` as master right now (CLUSTER NODES through a live node). */
  masterOf(slot: number): Promise<ClusterNode>;
  /** The live replicas of the master on `port` (CLUSTER NODES through a live node). */
  replicasOf(port: number): Promise<ClusterNode[]>;
  /** Waits until the master of `slot` is another node than `oldPort`; resolves with it. */
  switched(slot: number, oldPort: number, timeoutMs?: number): Promise<ClusterNode>;
  /** Starts the node on `port` again with its own nodes.conf (its data empty: no persistence), as a supervisor would; it rejoins as a replica. */
  restart(port: number): Promise<void>;
  /** Waits until the master of `slot` has `n` replicas online (INFO replication on it). */
  replicasOnline(slot: number, n: number, timeoutMs?: number): Promise<void>;
  /** Resolves when every live node reports cluster_state:ok and a master for every slot. */
  waitOk(timeoutMs?: number): Promise<void>;
  /** Kills every node (SIGKILL, by PID) and removes their directories. */
  stop(): Promise<void>;
}

const run = (cmd: string, args: string[]): Promise<string> =>
  new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    // 'close', not 'exit': the output may still be in the pipe when the process exits.
    p.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out}`))));
  });

const cli = (port: number, ...args: string[]) => run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);

/**
 * A throwaway Redis Cluster: `masters` masters with one replica each (6 nodes by default) from
 * Debian's redis-server, on free ports, each with a temp dir of its own (nodes.conf); made with
 * `redis-cli --cluster create`, ready once every node says cluster_state:ok. A short
 * cluster-node-timeout (default 1 s) so that a killed master's replica takes over in seconds, and
 * cluster-require-full-coverage no unless asked (the README's setting).
 */
export async function startCluster(options: { masters?: number; nodeTimeoutMs?: number; requireFullCoverage?: boolean } = {}): Promise<RedisClusterHandle> {
  const count = (options.masters ?? 3) * 2;
  const ports: number[] = [];
  while (ports.length < count) {
    const p = await freePort();
    // The cluster bus listens on port + 10000: both must be free.
    if (p + 10000 < 65536 && !ports.includes(p)) ports.push(p);
  }
  const dirs: string[] = [];
  const nodes: ClusterNode[] = [];
  const argsOf = new Map<number, string[]>();
  const stop = async () => {
    await Promise.all(nodes.map((n) => stopRedis(n.proc)));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      const dir = mkdtempSync(join(tmpdir(), 'musaed-cluster-'));
      dirs.push(dir);
      const args = [
        '--cluster-enabled', 'yes',
        '--cluster-config-file', join(dir, 'nodes.conf'),
        '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1000),
        // The setting the README asks for: the other masters keep serving their slots while one is lost.
        '--cluster-require-full-coverage', options.requireFullCoverage ? 'yes' : 'no',
        '--dir', dir,
      ];
      argsOf.set(port, args);
      nodes.push({ port, proc: await startRedis(port, args) });
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes']);
  } catch (err) {
    await stop();
    throw err;
  }
  const live = () => nodes.filter((n) => n.proc.exitCode === null && n.proc.signalCode === null);
  // CLUSTER NODES: "<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slots…>".
  const table = async () =>
    (await cli(live()[0]!.port, 'CLUSTER', 'NODES'))
      .split('\n')
      .map((line) => line.trim().split(' '))
      .filter((f) => f.length >= 8)
      .map((f) => ({ id: f[0]!, port: Number(/:(\d+)@/.exec(f[1]!)?.[1]), flags: f[2]!.split(','), master: f[3]!, slots: f.slice(8) }));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const handle: RedisClusterHandle = {
    nodes,
    nodesEnv: ports.map((p) => `127.0.0.1:${p}`).join(','),
    async masterOf(slot) {
      const rows = await table();
      for (const row of rows) {
        if (!row.flags.includes('master') || row.flags.some((f) => f.startsWith('fail'))) continue;
        const serves = row.slots.some((r) => {
          const [a, b] = r.split('-').map(Number);
          return slot >= a! && slot <= (b ?? a!);
        });
        const node = nodes.find((n) => n.port === row.port);
        if (serves && node) return node;
      }
      throw new Error(`no master for slot ${slot}: ${JSON.stringify(rows)}`);
    },
    async replicasOf(port) {
      const rows = await table();
      const id = rows.find((r) => r.port === port)?.id;
      const ours = rows.filter((r) => r.master === id && !r.flags.some((f) => f.startsWith('fail'))).map((r) => r.port);
      return live().filter((n) => ours.includes(n.port));
    },
    async switched(slot, oldPort, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const now = await handle.masterOf(slot).catch(() => undefined);
        if (now && now.port !== oldPort) return now;
        if (Date.now() > until) throw new Error(`slot ${slot} still served by ${oldPort} after ${timeoutMs} ms`);
        await sleep(100);
      }
    },
    async restart(port) {
      const node = nodes.find((n) => n.port === port)!;
      node.proc = await startRedis(port, argsOf.get(port)!);
    },
    async replicasOnline(slot, n, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const master = await handle.masterOf(slot).catch(() => undefined);
        const info = master ? await cli(master.port, 'INFO', 'replication').catch(() => '') : '';
        const online = (info.match(/state=online/g) ?? []).length;
        if (/role:master/.test(info) && online >= n) return;
        if (Date.now() > until) throw new Error(`the master of slot ${slot} has ${online} of ${n} replicas online after ${timeoutMs} ms`);
        await sleep(100);
      }
    },
    async waitOk(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const infos = await Promise.all(live().map((n) => cli(n.port, 'CLUSTER', 'INFO').catch(() => '')));
        if (infos.every((i) => i.includes('cluster_state:ok') && i.includes('cluster_slots_ok:16384'))) return;
        if (Date.now() > deadline) throw new Error(`cluster not ok after ${timeoutMs} ms: ${infos.join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop,
  };
  try {
    await handle.waitOk();
  } catch (err) {
    await stop();
    throw err;
  }
  return handle;
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

/** What a Sentinel fault test does to the master: a planned SENTINEL FAILOVER, or a SIGKILL. */
export type SentinelFault = 'failover' | 'kill';

/**
 * Does `fault` to the set's master and resolves once the sentinels name another one (with the
 * ms it took): SENTINEL FAILOVER through the first sentinel, or the master SIGKILLed (by PID)
 * and, once replaced, started again empty as a supervisor would, so that the sentinels make it a
 * replica of the new master. Callers wait for replicasOnline() if writes need a replica again.
 */
export async function injectSentinelFault(set: SentinelSet, fault: SentinelFault): Promise<{ oldMaster: number; switchedMs: number }> {
  const { Redis } = await import('ioredis');
  const oldMaster = await set.masterPort();
  const at = Date.now();
  if (fault === 'failover') {
    const s = new Redis({ port: set.sentinelPorts[0], host: '127.0.0.1', maxRetriesPerRequest: 0 });
    try {
      await s.call('SENTINEL', 'FAILOVER', set.name);
    } finally {
      s.disconnect();
    }
    await set.switched(oldMaster);
    return { oldMaster, switchedMs: Date.now() - at };
  }
  await stopRedis(set.servers.get(oldMaster)!);
  set.servers.delete(oldMaster);
  await set.switched(oldMaster);
  const switchedMs = Date.now() - at;
  await set.restart(oldMaster);
  return { oldMaster, switchedMs };
}
