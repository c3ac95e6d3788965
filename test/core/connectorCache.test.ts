/**
 * Connector clients are built once per service URL, not once per turn: checked on the
 * cache itself and through /api/messages, where every turn's context carries the client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Middleware, TurnContext } from 'botbuilder';
import { ConnectorClient, ConnectorFactory } from 'botframework-connector';
import { BoundedCache, CachingConnectorFactory } from '../../bot/connectorCache';
import { startApp } from '../helpers/app';
import { messageActivity, postActivity } from '../helpers/http';
import type { App } from '../../bot/app';

class CountingFactory extends ConnectorFactory {
  made = 0;
  fail = false;
  async create(serviceUrl: string): Promise<ConnectorClient> {
    this.made++;
    if (this.fail) throw new Error('no credentials');
    return new ConnectorClient({ signRequest: async (r) => r }, { baseUri: serviceUrl });
  }
}

describe('CachingConnectorFactory', () => {
  it('makes one client per service URL and audience, and keeps at most max', async () => {
    const inner = new CountingFactory();
    const factory = new CachingConnectorFactory(inner, new BoundedCache(2), 'app');
    const a1 = await factory.create('https://a.example/');
    const a2 = await factory.create('https://a.example/');
    expect(a2).toBe(a1);
    await factory.create('https://a.example/', 'skill-audience');
    expect(inner.made).toBe(2);
    await factory.create('https://b.example/'); // evicts the oldest (a, no audience)
    expect(await factory.create('https://b.example/')).toBeDefined();
    expect(inner.made).toBe(3);
    expect(await factory.create('https://a.example/')).not.toBe(a1);
    expect(inner.made).toBe(4);
  });

  it('does not remember a failed creation', async () => {
    const inner = new CountingFactory();
    const factory = new CachingConnectorFactory(inner, new BoundedCache(4), 'app');
    inner.fail = true;
    await expect(factory.create('https://a.example/')).rejects.toThrow('no credentials');
    inner.fail = false;
    await expect(factory.create('https://a.example/')).resolves.toBeInstanceOf(ConnectorClient);
    expect(inner.made).toBe(2);
  });
});

describe('turns over /api/messages', () => {
  let app: App & { baseUrl: string };
  const clients: unknown[] = [];
  const capture: Middleware = {
    onTurn: async (context: TurnContext, next) => {
      const adapter = context.adapter as unknown as { ConnectorClientKey: symbol };
      clients.push(context.turnState.get(adapter.ConnectorClientKey));
      await next();
    },
  };

  beforeAll(async () => {
    app = await startApp({}, { channels: [(ctx) => ctx.use(capture)] });
  });
  afterAll(async () => {
    await app.close();
  });

  it('reuse one connector client for the same service URL, and use another for another URL', async () => {
    for (const conversation of ['cc-1', 'cc-2', 'cc-1']) {
      expect((await postActivity(app.baseUrl, messageActivity(conversation, 'hello'))).status).toBe(200);
    }
    const other = { ...messageActivity('cc-3', 'hello'), serviceUrl: 'http://127.0.0.1:10/' };
    expect((await postActivity(app.baseUrl, other)).status).toBe(200);
    expect(clients).toHaveLength(4);
    expect(clients[0]).toBeInstanceOf(ConnectorClient);
    expect(clients[1]).toBe(clients[0]);
    expect(clients[2]).toBe(clients[0]);
    expect(clients[3]).not.toBe(clients[0]);
  });
});
