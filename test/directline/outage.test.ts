/**
 * Redis going away: the Direct Line routes answer 503 (never crash, never hang), the process
 * keeps serving what does not need Redis, and it works again once Redis is back.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../helpers/app';
import { freePort, startRedis, stopRedis } from '../helpers/redisServer';
import type { App } from '../../bot/app';
import { directLineChannel } from '../../adapters/directline';
import { sleep } from './support';

describe('Direct Line while Redis is down', () => {
  let port: number;
  let redis: ChildProcess;
  let app: App & { baseUrl: string };

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    app = await startApp({ REDIS_URL: `redis://127.0.0.1:${port}/0`, SHUTDOWN_GRACE_MS: '1000' }, { channels: [directLineChannel()] });
  });
  afterAll(async () => {
    await app?.close();
    await stopRedis(redis);
  });

  const begin = async () => {
    const { token, conversationId } = (await (await fetch(`${app.baseUrl}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string; conversationId: string };
    const res = await fetch(`${app.baseUrl}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(201);
    return { token, conversationId };
  };
  const send = (conv: string, token: string, text: string) =>
    fetch(`${app.baseUrl}/v3/directline/conversations/${conv}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text, locale: 'ar-SA' }),
    });

  it('answers 503 while down and works again when Redis is back', async () => {
    const before = await begin();
    expect((await send(before.conversationId, before.token, 'السلام عليكم')).status).toBe(200);

    await stopRedis(redis);
    const started = Date.now();
    const posted = await send(before.conversationId, before.token, 'مساعدة');
    expect(posted.status).toBe(503);
    expect(((await posted.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    const polled = await fetch(`${app.baseUrl}/v3/directline/conversations/${before.conversationId}/activities`, { headers: { authorization: `Bearer ${before.token}` } });
    expect(polled.status).toBe(503);
    expect((await fetch(`${app.baseUrl}/v3/directline/tokens/generate`, { method: 'POST' })).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);

    redis = await startRedis(port);
    let after: { token: string; conversationId: string } | undefined;
    for (let i = 0; i < 50 && !after; i++) {
      after = await begin().catch(async () => {
        await sleep(200);
        return undefined;
      });
    }
    expect(after).toBeDefined();
    expect((await send(after!.conversationId, after!.token, 'السلام عليكم')).status).toBe(200);
  });
});
