/**
 * The store's ceiling: redis-benchmark GET and SET (unpipelined, 50 clients) on the bench's
 * own key in the bench's database. Without the binary, the same with ioredis (50 concurrent
 * workers, one command in flight each), said so in the result.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import { summarize } from './stats';

const run = promisify(execFile);

export interface StoreOps {
  op: 'GET' | 'SET';
  opsPerSec: number;
  p50: number;
  p99: number;
  tool: 'redis-benchmark' | 'ioredis';
}

async function hasRedisBenchmark(): Promise<boolean> {
  try {
    await run('redis-benchmark', ['--version']);
    return true;
  } catch {
    return false;
  }
}

export async function storeCeiling(redis: Redis, options: { host: string; port: number; db: number; key: string; requests: number }): Promise<StoreOps[]> {
  await redis.set(options.key, 'xxx');
  if (await hasRedisBenchmark()) {
    const out: StoreOps[] = [];
    for (const [op, args] of [['SET', [options.key, 'xxx']], ['GET', [options.key]]] as const) {
      const { stdout } = await run('redis-benchmark', [
        '-h', options.host, '-p', String(options.port), '--dbnum', String(options.db),
        '-n', String(options.requests), '-c', '50', '--csv', op, ...args,
      ]);
      // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
      const row = stdout.trim().split('\n').pop()?.split('","').map((s) => s.replace(/"/g, '')) ?? [];
      out.push({ op, opsPerSec: Number(row[1]), p50: Number(row[4]), p99: Number(row[6]), tool: 'redis-benchmark' });
    }
    return out;
  }
  const out: StoreOps[] = [];
  for (const op of ['SET', 'GET'] as const) {
    const latencies: number[] = [];
    let left = options.requests;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (left-- > 0) {
          const t0 = process.hrtime.bigint();
          if (op === 'SET') await redis.set(options.key, 'xxx');
          else await redis.get(options.key);
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const s = summarize(latencies);
    out.push({ op, opsPerSec: latencies.length / seconds, p50: s.p50, p99: s.p99, tool: 'ioredis' });
  }
  return out;
}
