/**
 * Replies to a failing or silent channel are bounded (issue 17, item 2): before, one message
 * to a serviceUrl answering 500 hit it 8 times (4 tries of the reply, 4 of the apology), and
 * one that never answered held the turn for minutes. Real HTTP on both sides; counts, not clocks
 * (vitest's own timeout is the bound on "the turn ends").
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../helpers/app';
import { messageActivity, postActivity } from '../helpers/http';
import type { App } from '../../bot/app';

interface Target {
  url: string;
  hits: () => number;
  close: () => Promise<void>;
}

/** A connector that answers every request with `status`, or (status 0) never answers. */
async function startTarget(status: number): Promise<Target> {
  let hits = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    hits++;
    req.resume();
    if (status === 0) return; // silent: holds the request open
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"ServiceError","message":"down"}}');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    hits: () => hits,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('Connector calls are bounded', () => {
  let app: App & { baseUrl: string };
  let failing: Target;
  let silent: Target;
  beforeAll(async () => {
    [failing, silent] = await Promise.all([startTarget(500), startTarget(0)]);
    app = await startApp({ CONNECTOR_TIMEOUT_MS: '300', CONNECTOR_RETRIES: '1' });
  });
  afterAll(async () => {
    await app?.close();
    await failing?.close();
    await silent?.close();
  });

  const send = (conv: string, serviceUrl: string) =>
    postActivity(app.baseUrl, messageActivity(conv, 'السلام عليكم', { extra: { serviceUrl, deliveryMode: 'normal' } }));

  it('a serviceUrl answering 500: one try and CONNECTOR_RETRIES retries, no apology sent the same way', async () => {
    const { status } = await send('ct-500', failing.url);
    expect(status).toBe(200); // the turn ended; the failure is logged, not returned to the channel
    expect(failing.hits()).toBe(2);
  });

  it('a serviceUrl that never answers: the turn ends after one attempt (a timed-out POST is not repeated)', async () => {
    const { status } = await send('ct-silent', silent.url);
    expect(status).toBe(200);
    expect(silent.hits()).toBe(1);
    // The conversation is not left locked: the next message runs its own turn.
    await send('ct-silent', silent.url);
    expect(silent.hits()).toBe(2);
  });
});
