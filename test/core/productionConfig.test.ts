/**
 * Production refuses to start open (issue 17, item 2): Bot Framework credentials or
 * /api/messages disabled, CONNECTOR_SECRET, PUBLIC_URL, SERVICES_API_URL (and DIRECTLINE_SECRET,
 * checked by the Direct Line channel), each named on one line; /api/messages disabled answers
 * 404 while Direct Line still works; /readyz and /metrics are not open on the public port.
 */
import { freePort } from '../helpers/redisServer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../bot/config';
import { directLineChannel } from '../../adapters/directline';
import { startApp } from '../helpers/app';
import { postActivity, messageActivity } from '../helpers/http';
import { cleanRedis, Conversation, SECRET, startDirectLine, textOf, type DirectLineHarness } from '../directline/support';

const OPS_TOKEN = 'ops-token-for-tests-0123456789abcdef';
/** Everything production asks for, with /api/messages on Bot Framework credentials. */
const PRODUCTION = {
  NODE_ENV: 'production',
  MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
  MicrosoftAppPassword: 'app-password',
  CONNECTOR_SECRET: 'c'.repeat(32),
  PUBLIC_URL: 'https://musaed.example.gov.sa',
  SERVICES_API_URL: 'https://gateway.example.gov.sa/musaed',
  PII_HASH_SECRET: 'p'.repeat(32),
};

function errorOf(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  return '';
}

describe('production configuration', () => {
  it('refuses an open production with one line naming every missing variable', () => {
    const message = errorOf({ NODE_ENV: 'production' });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^Invalid configuration: /);
    for (const name of ['MicrosoftAppId', 'CONNECTOR_SECRET', 'PUBLIC_URL', 'SERVICES_API_URL', 'PII_HASH_SECRET']) expect(message).toContain(`${name}: required in production`);
  });

  it.each([
    ['MicrosoftAppId', { MicrosoftAppId: undefined, MicrosoftAppPassword: undefined }],
    ['CONNECTOR_SECRET', { CONNECTOR_SECRET: undefined }],
    ['CONNECTOR_SECRET', { CONNECTOR_SECRET: 'short-secret' }],
    ['PUBLIC_URL', { PUBLIC_URL: undefined }],
    ['SERVICES_API_URL', { SERVICES_API_URL: '' }],
    ['OPS_TOKEN', { OPS_TOKEN: 'too-short' }],
    ['ALLOWED_SERVICE_URLS', { ALLOWED_SERVICE_URLS: 'ftp://files.example' }],
    ['ALLOWED_SERVICE_URLS', { ALLOWED_SERVICE_URLS: 'https://*' }],
  ])('names %s', (name, change) => {
    const message = errorOf({ ...PRODUCTION, ...change });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain(`${name}:`);
  });

  it('starts with credentials, with managed identity, or with /api/messages disabled or explicitly unauthenticated', () => {
    expect(loadConfig(PRODUCTION).MESSAGES_ENDPOINT).toBe('enabled');
    expect(() => loadConfig({ ...PRODUCTION, MicrosoftAppPassword: undefined, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 't' })).not.toThrow();
    const noCredentials = { ...PRODUCTION, MicrosoftAppId: undefined, MicrosoftAppPassword: undefined };
    expect(loadConfig({ ...noCredentials, MESSAGES_ENDPOINT: 'disabled' }).MESSAGES_ENDPOINT).toBe('disabled');
    expect(loadConfig({ ...noCredentials, MESSAGES_ENDPOINT: 'unauthenticated' }).MESSAGES_ENDPOINT).toBe('unauthenticated');
    expect(errorOf({ ...noCredentials, MESSAGES_ENDPOINT: 'off' })).toContain('MESSAGES_ENDPOINT');
  });

  it('keeps development open and simple: no CONNECTOR_SECRET, PUBLIC_URL or credentials needed', () => {
    const dev = loadConfig({});
    expect(dev.CONNECTOR_SECRET).toBeUndefined();
    expect(dev.MESSAGES_ENDPOINT).toBe('enabled');
    expect(loadConfig({ NODE_ENV: 'test', CONNECTOR_SECRET: 'short' }).CONNECTOR_SECRET).toBe('short');
  });

  it('an app with the Direct Line channel (as the product has) stops in production without DIRECTLINE_SECRET, naming it', async () => {
    const failure = await startApp({ ...PRODUCTION, REDIS_URL: '' }, { channels: [directLineChannel()] }).then(
      async (app) => void (await app.close()),
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toBe('Invalid configuration: DIRECTLINE_SECRET: required in production');
  });
});

describe('production over real HTTP: /api/messages disabled, ops endpoints protected', () => {
  let h: DirectLineHarness;
  beforeAll(async () => {
    const port = await freePort();
    h = await startDirectLine({
      env: {
        ...PRODUCTION,
        MicrosoftAppId: '',
        MicrosoftAppPassword: '',
        MESSAGES_ENDPOINT: 'disabled',
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DIRECTLINE_ALLOW_ANONYMOUS: 'true',
        OPS_TOKEN,
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    if (h) await cleanRedis(h.prefix);
  });

  it('answers 404 on /api/messages and runs no turn', async () => {
    const { status } = await postActivity(h.app.baseUrl, messageActivity('prod-off-1', 'السلام عليكم'));
    expect(status).toBe(404);
    expect(h.seen.filter((a) => a.conversation?.id === 'prod-off-1')).toHaveLength(0);
  });

  it('still serves Direct Line', async () => {
    const { token } = await h.token();
    const conv = new Conversation(h.app.baseUrl, { token, webSocket: false });
    try {
      const replies = await conv.say('السلام عليكم');
      expect(replies.map(textOf).join('\n')).toMatch(/مساعد/);
    } finally {
      conv.end();
    }
  });

  it('serves /readyz and /metrics only with the ops token; /healthz stays open', async () => {
    for (const route of ['/readyz', '/metrics']) {
      expect((await fetch(`${h.app.baseUrl}${route}`)).status, route).toBe(401);
      expect((await fetch(`${h.app.baseUrl}${route}`, { headers: { authorization: 'Bearer wrong-token' } })).status, route).toBe(401);
      expect((await fetch(`${h.app.baseUrl}${route}`, { headers: { authorization: `Bearer ${OPS_TOKEN}` } })).status, route).toBe(200);
    }
    expect((await fetch(`${h.app.baseUrl}/healthz`)).status).toBe(200);
  });
});

describe('production without OPS_TOKEN', () => {
  let h: DirectLineHarness;
  beforeAll(async () => {
    h = await startDirectLine({ env: { ...PRODUCTION, DIRECTLINE_SECRET: SECRET } });
  });
  afterAll(async () => {
    await h?.close();
    if (h) await cleanRedis(h.prefix);
  });

  it('does not serve /readyz or /metrics on the public port', async () => {
    expect((await fetch(`${h.app.baseUrl}/readyz`)).status).toBe(404);
    expect((await fetch(`${h.app.baseUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${h.app.baseUrl}/healthz`)).status).toBe(200);
  });
});
