/**
 * What the storage layer does around Redis faults (issue #21 items 1, 4, 5): saves that enough
 * replicas do not hold count as failed, a turn's saves are fenced by its lock, a lock left by a
 * failed release is taken over by its own process at once (another process waits out the
 * lease), a turn that cannot start within TURN_LOCK_WAIT_MS of its arrival is refused and never
 * applied late, the persistence check, and a start against an unreachable Redis that names it.
 * Real Redis (DB 1, own prefix) and throwaway redis-servers on free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ConversationLock, TurnLockTimeoutError } from '../../bot/middleware/turnLock';
import { RedisStorage } from '../../bot/storage/redisStorage';
import { acknowledged, configureReplicaAck, WriteNotDurableError } from '../../bot/storage/durableWrites';
import { redisSetupProblems } from '../../bot/storage/redisCheck';
import { isUnavailableError } from '../../bot/adapter';
import { keyOfReference } from '../../adapters/handoff/hub';
import type { HandoffRequest } from '../../adapters/handoff/types';
import { createApp } from '../../bot/app';
import { createLogger } from '../../bot/logger';
import { startApp, testConfig, REDIS_TEST_URL } from '../helpers/app';
import { say, texts } from '../helpers/http';
import { ruleRecognizer } from '../helpers/ruleRecognizer';
import { CORE_DB, deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { freePort, startRedis, stopRedis } from '../helpers/redisServer';
import type { DialogFactory } from '../../dialogs/registry';
import { NODE_TSX, ROOT } from '../helpers/processes';
import { AskNameDialog, FIRST_PROMPT, SECOND_PROMPT } from '../fixtures/askNameDialog';
import { bareHub, emulatorReference } from '../helpers/bareHub';

const CONV = 'emulator/conversations/fault-1';

describe('turn lock and saves after a Redis fault', () => {
  const prefix = uniquePrefix('faults');
  let redis: Redis;
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  it('a lock whose release failed is taken over by its own process at once; another process waits out its lease', async () => {
    const client = testRedis();
    try {
      const lock = new ConversationLock(client, { prefix, ttlMs: 30_000, waitMs: 1000 });
      const methods = client as unknown as { musaedLockRelease: (...a: unknown[]) => Promise<number> };
      const release = methods.musaedLockRelease;
      methods.musaedLockRelease = () => Promise.reject(new Error('Connection is closed.'));
      await lock.run(CONV, async () => 'first');
      methods.musaedLockRelease = release;
      // The 30 s lock is still there, and a second turn of the same process runs (waitMs is 1 s).
      expect(await redis.pttl(lock.lockKey(CONV))).toBeGreaterThan(20_000);
      expect(await lock.run(CONV, async () => 'second')).toBe('second');
      expect(lock.takeovers).toBe(1);

      await methods.musaedLockRelease.call(client, lock.lockKey(CONV), 'nobody'); // no-op
      methods.musaedLockRelease = () => Promise.reject(new Error('Connection is closed.'));
      await lock.run(CONV, async () => 'third');
      methods.musaedLockRelease = release;
      const other = new ConversationLock(testRedis(), { prefix, ttlMs: 30_000, waitMs: 1000 });
      await expect(other.run(CONV, async () => 'applied late')).rejects.toBeInstanceOf(TurnLockTimeoutError);
      await redis.del(lock.lockKey(CONV));
    } finally {
      client.disconnect();
    }
  });

  it('a turn that cannot start within the wait bound (counted from its arrival) is refused, never run later', async () => {
    const lock = new ConversationLock(redis, { prefix, ttlMs: 5000, waitMs: 1000 });
    const ran: string[] = [];
    let finishFirst!: () => void;
    const first = lock.run(CONV, async () => {
      ran.push('first');
      await new Promise<void>((r) => (finishFirst = r));
    });
    const second = lock.run(CONV, async () => void ran.push('second'));
    await expect(second).rejects.toBeInstanceOf(TurnLockTimeoutError);
    const third = lock.run(CONV, async () => void ran.push('third'));
    finishFirst();
    await first;
    await third;
    // The refused turn never ran; the next one ran after the first, not beside it.
    expect(ran).toEqual(['first', 'third']);
  });

  it('fences saves: a turn that lost its lock cannot save its conversation (unavailable), other keys are not fenced', async () => {
    const storage = new RedisStorage(redis, { prefix });
    const lock = new ConversationLock(redis, { prefix, ttlMs: 5000, waitMs: 1000 });
    await lock.run(CONV, async () => {
      await storage.write({ [`${CONV}/`]: { n: 1, eTag: '*' } });
      // Another holder now (the lease lapsed during a stall, or a failover lost the key).
      await redis.set(lock.lockKey(CONV), 'someone-else');
      const err = await storage.write({ [`${CONV}/`]: { n: 2, eTag: '*' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WriteNotDurableError);
      expect(isUnavailableError(err)).toBe(true);
      await storage.write({ 'emulator/users/u-1/': { lang: 'ar', eTag: '*' } });
    });
    expect(((await storage.read([`${CONV}/`]))[`${CONV}/`] as { n: number }).n).toBe(1);
    expect((await storage.read(['emulator/users/u-1/']))['emulator/users/u-1/']).toMatchObject({ lang: 'ar' });
    await redis.del(lock.lockKey(CONV));
  });

  it('REDIS_MIN_REPLICAS_ACK: a write no replica holds counts as failed', async () => {
    const client = testRedis();
    try {
      configureReplicaAck(client, { minReplicas: 1, timeoutMs: 50 });
      const err = await acknowledged(client, `${prefix}ack`, () => client.set(`${prefix}ack`, '1')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WriteNotDurableError);
      expect((err as Error).message).toContain('0 of the 1 Redis replica');
      configureReplicaAck(client, { minReplicas: 0, timeoutMs: 50 });
      expect(await acknowledged(client, `${prefix}ack`, () => client.set(`${prefix}ack`, '2'))).toBe('OK');
    } finally {
      client.disconnect();
    }
  });

  it('REDIS_MIN_REPLICAS_ACK: a handoff the user would be told about is refused when no replica holds it, and nothing is left half-kept', async () => {
    const client = testRedis();
    const hub = bareHub(client, prefix);
    const reference = emulatorReference('ho-ack');
    const key = keyOfReference(reference);
    const request: HandoffRequest = { reference, lang: 'ar', reason: 'passport', trigger: 'user' };
    try {
      configureReplicaAck(client, { minReplicas: 1, timeoutMs: 50 });
      for (const start of [() => hub.enqueue(request), () => hub.startProtocol(request)]) {
        const err = await start().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WriteNotDurableError);
        expect(isUnavailableError(err)).toBe(true);
        expect(await hub.get(key)).toBeUndefined();
        expect(await redis.zscore(hub.queueKey, key)).toBeNull();
        expect(await redis.zscore(hub.protocolPendingKey, key)).toBeNull();
      }
      configureReplicaAck(client, { minReplicas: 0, timeoutMs: 50 });
      expect(await hub.enqueue(request)).toMatchObject({ position: 1 });
      expect(await hub.get(key)).toMatchObject({ status: 'queued' });
    } finally {
      await hub.erase(key);
      client.disconnect();
    }
  });

  it('a turn whose save no replica acknowledges gets the polite reply', async () => {
    const env = { REDIS_URL: `${REDIS_TEST_URL}/${CORE_DB}`, REDIS_KEY_PREFIX: prefix };
    const features: DialogFactory[] = [(deps) => new AskNameDialog(deps.t)];
    const recognizer = ruleRecognizer({ 'جدد اقامتي': 'iqama.renew' });
    const ok = await startApp(env, { recognizer, features });
    const strict = await startApp({ ...env, REDIS_MIN_REPLICAS_ACK: '1', REDIS_WAIT_TIMEOUT_MS: '50' }, { recognizer, features });
    try {
      expect(texts(await say(ok.baseUrl, 'ack-1', 'جدد اقامتي')).join()).toContain(FIRST_PROMPT.ar);
      // The local Redis has no replica: the save does not count, the user is told (not the generic apology).
      const refused = texts(await say(strict.baseUrl, 'ack-1', 'نورة')).join();
      expect(refused).toContain('غير متاحة مؤقتاً');
      expect(refused).not.toContain(SECOND_PROMPT.ar);
    } finally {
      await ok.close();
      await strict.close();
    }
  });
});

describe('start-up checks of the Redis given', () => {
  const servers: ChildProcess[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const s of servers) await stopRedis(s);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  async function server(args: string[]): Promise<Redis> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'musaed-aof-'));
    dirs.push(dir);
    servers.push(await startRedis(port, ['--dir', dir, ...args]));
    return new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  }

  it('warns once when AOF is off in production, not when it is on, and tolerates a renamed CONFIG', async () => {
    const off = await server([]);
    const on = await server(['--appendonly', 'yes', '--appendfsync', 'everysec']);
    const noConfig = await server(['--rename-command', 'CONFIG', '""']);
    try {
      const problems = await redisSetupProblems(off, { productionLike: true, minReplicas: 0 });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('appendonly is "no"');
      expect(await redisSetupProblems(off, { productionLike: false, minReplicas: 0 })).toEqual([]);
      expect(await redisSetupProblems(on, { productionLike: true, minReplicas: 0 })).toEqual([]);
      expect(await redisSetupProblems(noConfig, { productionLike: true, minReplicas: 0 })).toEqual([]);
      expect((await redisSetupProblems(on, { productionLike: true, minReplicas: 1 }))[0]).toContain('REDIS_MIN_REPLICAS_ACK=1 but 0 replica(s)');
    } finally {
      for (const c of [off, on, noConfig]) c.disconnect();
    }
  });

  it('names the Redis it could not reach (no password), instead of "Connection is closed."', async () => {
    const port = await freePort();
    const start = (url: string) => createApp(testConfig({ REDIS_URL: url }), { logger: createLogger({ level: 'silent' }), recognizer: ruleRecognizer() });
    await expect(start(`redis://:hunter2@127.0.0.1:${port}/3`)).rejects.toThrow(
      new RegExp(`^Redis redis://127\\.0\\.0\\.1:${port} \\(db 3\\) could not be reached: .*ECONNREFUSED`),
    );
    const err = (await start(`redis-sentinel://127.0.0.1:${port}/mymaster?password=hunter2`).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(`Redis Sentinel master "mymaster" via 127.0.0.1:${port} (db 0) could not be reached`);
    expect(err.message).not.toContain('hunter2');
  });

  it('npm start against an unreachable Redis: the first line names it, exit 1', async () => {
    const port = await freePort();
    const proc = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), 'bot/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: `redis://:hunter2@127.0.0.1:${port}/3`, NODE_ENV: 'development', PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    const lines = out.split('\n').filter((l) => l.trim() !== '' && !/DeprecationWarning|trace-deprecation/.test(l));
    expect(code).toBe(1);
    expect(lines[0]).toBe(`Musaed failed to start: Redis redis://127.0.0.1:${port} (db 3) could not be reached: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(out).not.toContain('hunter2');
  }, 60_000);
});
