import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { say, texts } from '../helpers/http';
import { startApp } from '../helpers/app';
import { freePort, startRedis, stopRedis } from '../helpers/redisServer';
import type { App } from '../../bot/app';

describe('Redis going away mid-run', () => {
  let port: number;
  let redis: ChildProcess;
  let app: App & { baseUrl: string };

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    app = await startApp({ REDIS_URL: `redis://127.0.0.1:${port}/0` });
  });
  afterAll(async () => {
    await app?.close();
    await stopRedis(redis);
  });

  it('answers "temporarily unavailable" in the user\'s language while Redis is down and recovers when it returns', async () => {
    const before = await say(app.baseUrl, 'outage-1', 'السلام عليكم');
    expect(texts(before).join()).toContain('مساعد');

    await stopRedis(redis);
    const down = await say(app.baseUrl, 'outage-1', 'مساعدة');
    expect(texts(down).join()).toContain('غير متاحة مؤقتاً');
    const downEn = await say(app.baseUrl, 'outage-2', 'hello', { locale: 'en-US' });
    expect(texts(downEn).join()).toContain('temporarily unavailable');
    expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(503);

    redis = await startRedis(port);
    let recovered = '';
    for (let i = 0; i < 50 && !recovered.includes('أقدر أساعدك في'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      recovered = texts(await say(app.baseUrl, 'outage-3', 'مساعدة')).join();
    }
    expect(recovered).toContain('أقدر أساعدك في');
    expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);
  });
});
