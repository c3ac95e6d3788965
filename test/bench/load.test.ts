import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runCell } from '../../bench/lib/load';
import { startTarget, type Target } from '../../bench/lib/processes';
import { deleteByPrefix, footprint, lostUpdates } from '../../bench/lib/probes';
import { ECHO_SCRIPT, FIXED_SCRIPT } from '../../bench/lib/scripts';
import { percentile, summarize } from '../../bench/lib/stats';
import { uniquePrefix } from '../helpers/redis';

describe('bench building blocks', () => {
  it('percentiles are exact ranks over the samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted input
    expect(summarize(samples)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99 });
    expect(percentile(Float64Array.from([7]), 99)).toBe(7);
  });

  describe('against real targets', () => {
    const prefix = uniquePrefix('bench');
    let redis: Redis;
    let restify: Target;
    let echo: Target;

    beforeAll(async () => {
      redis = new Redis({ host: '127.0.0.1', port: 6379, db: 6, maxRetriesPerRequest: 1 });
      [restify, echo] = await Promise.all([
        startTarget('restify', 'bench/targets/restify.ts', {}),
        startTarget('echo', 'bench/targets/echo.ts', { STORAGE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379/6', REDIS_KEY_PREFIX: prefix }),
      ]);
    }, 60_000);

    afterAll(async () => {
      await Promise.all([restify?.stop(), echo?.stop()]);
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    });

    it('counts turns, latency and CPU, and flags replies without the expected fragment', async () => {
      const good = await runCell({ url: restify.url, connections: 2, seconds: 1, script: FIXED_SCRIPT, conversationPrefix: 'ok', pid: restify.proc.pid, rampSeconds: 0 });
      expect(good.turns).toBeGreaterThan(10);
      expect(good.turnsPerSec).toBeGreaterThan(10);
      expect(good.unexpected).toBe(0);
      expect(good.errors).toBe(0);
      expect(good.p99).toBeGreaterThanOrEqual(good.p50);
      expect(good.cpuMsPerTurn).toBeGreaterThan(0);
      expect(good.conversations).toBe(4);

      const wrong = await runCell({ url: restify.url, connections: 2, seconds: 1, script: ECHO_SCRIPT, conversationPrefix: 'bad', rampSeconds: 0 });
      expect(wrong.turns).toBeGreaterThan(10);
      expect(wrong.unexpected).toBe(wrong.turns);

      // The ramp is left out: the measured window (turns ÷ turns/s) is a second shorter.
      const ramped = await runCell({ url: restify.url, connections: 2, seconds: 2, script: FIXED_SCRIPT, conversationPrefix: 'ramp', rampSeconds: 1 });
      const whole = await runCell({ url: restify.url, connections: 2, seconds: 2, script: FIXED_SCRIPT, conversationPrefix: 'whole', rampSeconds: 0 });
      const window = (r: typeof whole) => r.turns / r.turnsPerSec;
      expect(window(whole) - window(ramped)).toBeGreaterThan(0.7);
      expect(window(whole) - window(ramped)).toBeLessThan(1.3);
      expect(ramped.count).toBeLessThanOrEqual(ramped.turns);
      expect(wrong.sample).toContain('"text":"ok"');
    }, 30_000);

    it('sees the lost updates of an unlocked Redis store, and measures its keys', async () => {
      const result = await lostUpdates(echo.url, 'lost-1', 'count');
      expect(result.expected).toBe(52);
      expect(result.final + result.lost).toBe(52);
      // BotState saves with eTag "*": without the product's lock, concurrent turns overwrite each other.
      expect(result.lost).toBeGreaterThan(0);
      const f = await footprint(redis, prefix);
      expect(f.byKind['conversation state']?.keys).toBe(1);
      expect(f.byKind['user state']?.keys).toBe(1);
      expect(f.bytes).toBeGreaterThan(0);
    }, 30_000);
  });
});
