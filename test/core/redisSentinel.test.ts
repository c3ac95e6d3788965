/**
 * REDIS_URL in the documented Sentinel form against a real redis-sentinel: the app's own
 * connection asks the sentinels (the first one listed is down) for the master and writes to it,
 * and the whole app answers a turn through it. Only this suite's processes are killed after.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { loadConfig } from '../../bot/config';
import { connectRedis, createRedis } from '../../bot/storage/redisClient';
import { startApp } from '../helpers/app';
import { say, texts } from '../helpers/http';
import { freePort, startRedis, startSentinel, stopRedis } from '../helpers/redisServer';

describe('REDIS_URL=redis-sentinel://… against a real Sentinel', () => {
  const password = 'master+pa@ss';
  const sentinelPassword = 'sentinel-secret';
  let master: ChildProcess;
  let sentinel: ChildProcess;
  let url: string;
  let direct: Redis;

  beforeAll(async () => {
    const [masterPort, sentinelPort, deadPort] = [await freePort(), await freePort(), await freePort()];
    master = await startRedis(masterPort, ['--requirepass', password]);
    sentinel = await startSentinel(sentinelPort, { port: masterPort, name: 'mymaster', password, sentinelPassword });
    // The documented form: several sentinels, the master's name, db and password in the query.
    url = `redis-sentinel://127.0.0.1:${deadPort},127.0.0.1:${sentinelPort}/mymaster?db=2&password=${encodeURIComponent(password)}&sentinelPassword=${sentinelPassword}`;
    direct = new Redis({ port: masterPort, password, db: 2, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    direct?.disconnect();
    if (sentinel) await stopRedis(sentinel);
    if (master) await stopRedis(master);
  });

  it('connects through the sentinels to the master: SET/GET land in the master\'s db 2', async () => {
    const config = loadConfig({ REDIS_URL: url });
    const redis = createRedis({ url: config.REDIS_URL });
    try {
      await connectRedis(redis);
      await redis.set('sentinel-probe', 'through-sentinel');
      expect(await redis.get('sentinel-probe')).toBe('through-sentinel');
      expect(await direct.get('sentinel-probe')).toBe('through-sentinel');
    } finally {
      redis.disconnect();
    }
  });

  it('runs the app on it: a turn is answered and its state is stored on the master', async () => {
    const app = await startApp({ REDIS_URL: url, REDIS_KEY_PREFIX: 'sentinel:' });
    try {
      expect(texts(await say(app.baseUrl, 'sentinel-1', 'السلام عليكم')).join()).toContain('مساعد');
      expect((await direct.keys('sentinel:st:*')).length).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});
