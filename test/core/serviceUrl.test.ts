/**
 * serviceUrl is checked against a closed allow-list before any reply is sent (issue 17, item 2):
 * the bot POSTs replies to that URL, so an open value is a request forgery into the network.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAllowedServiceUrls, parseServiceUrlPatterns, serviceUrlPolicy } from '../../bot/serviceUrl';
import { startApp } from '../helpers/app';
import { messageActivity, postActivity } from '../helpers/http';
import type { App } from '../../bot/app';

/** A channel connector that counts what reaches it and accepts every reply. */
async function startRecorder(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"1"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    hits: () => hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('serviceUrl allow-list (pure)', () => {
  const production = serviceUrlPolicy({ patterns: parseServiceUrlPatterns(defaultAllowedServiceUrls('production')), publicUrl: 'https://musaed.example.gov.sa' });
  const development = serviceUrlPolicy({ patterns: parseServiceUrlPatterns(defaultAllowedServiceUrls('development')) });

  it.each([
    'https://directline.botframework.com/',
    'https://europe.webchat.botframework.com/',
    'https://smba.trafficmanager.net/emea/',
    'https://smba.trafficmanager.net:443/teams/',
  ])('allows the Bot Framework channel host %s in production', (url) => {
    expect(production(url, 3978)).toBe(true);
  });

  it.each([
    'http://directline.botframework.com/', // not TLS
    'https://botframework.com/', // the apex is not a channel
    'https://evilbotframework.com/',
    'https://botframework.com.evil.example/',
    'https://attacker.trafficmanager.net/', // anyone can register a Traffic Manager name
    'https://smba.trafficmanager.net:8443/',
    'https://user:pass@directline.botframework.com/',
    'http://127.0.0.1:9/',
    'http://localhost:3978/connector/directline/',
    'http://169.254.169.254/latest/meta-data/',
    'https://musaed.example.gov.sa/connector/directline/', // our own connector routes under PUBLIC_URL
    'file:///etc/passwd',
    'not a url',
  ])('refuses %s in production', (url) => {
    expect(production(url, 3978)).toBe(false);
  });

  it('allows loopback (the Emulator, local fakes) in development, but never this process itself', () => {
    expect(development('http://localhost:53000/', 3978)).toBe(true);
    expect(development('http://127.0.0.1:9/', 3978)).toBe(true);
    expect(development('http://[::1]:53000/', 3978)).toBe(true);
    expect(development('http://127.0.0.1:3978/connector/directline/', 3978)).toBe(false);
    expect(development('http://localhost:3978/connector/whatsapp/', 3978)).toBe(false);
    expect(development('http://10.0.0.5:8080/', 3978)).toBe(false);
  });

  it('takes an explicit list of origins and host patterns', () => {
    const custom = serviceUrlPolicy({ patterns: parseServiceUrlPatterns('https://*.channels.example, http://10.0.0.5:8080') });
    expect(custom('https://a.channels.example/v3', 1)).toBe(true);
    expect(custom('http://10.0.0.5:8080/', 1)).toBe(true);
    expect(custom('http://10.0.0.5:8081/', 1)).toBe(false);
    expect(custom('https://directline.botframework.com/', 1)).toBe(false);
  });
});

describe('serviceUrl over real HTTP', () => {
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let dev: App & { baseUrl: string };
  let prod: App & { baseUrl: string };
  beforeAll(async () => {
    recorder = await startRecorder();
    dev = await startApp();
    prod = await startApp({
      NODE_ENV: 'production',
      MESSAGES_ENDPOINT: 'unauthenticated',
      CONNECTOR_SECRET: 'c'.repeat(32),
      PUBLIC_URL: 'https://musaed.example.gov.sa',
      SERVICES_API_URL: 'https://gateway.example.gov.sa/musaed',
      PII_HASH_SECRET: 'p'.repeat(32),
    });
  });
  afterAll(async () => {
    await dev?.close();
    await prod?.close();
    await recorder?.close();
  });

  const send = (app: App & { baseUrl: string }, conv: string, serviceUrl: string) =>
    postActivity(app.baseUrl, messageActivity(conv, 'السلام عليكم', { extra: { serviceUrl, deliveryMode: 'normal' } }));

  it('sends replies to an allowed serviceUrl (development: a local connector)', async () => {
    const { status } = await send(dev, 'su-ok', recorder.url);
    expect(status).toBe(200);
    expect(recorder.hits()).toBeGreaterThan(0);
  });

  it('answers 400 before any reply when the serviceUrl is not allowed', async () => {
    const before = recorder.hits();
    for (const [app, url] of [
      [dev, 'http://169.254.169.254/'],
      [dev, `${dev.baseUrl}/connector/directline/`],
      [prod, recorder.url], // loopback is not a Bot Framework channel in production
      [prod, 'https://musaed.example.gov.sa/connector/whatsapp/'],
    ] as const) {
      const { status, json } = await send(app, `su-bad-${Math.random()}`, url);
      expect(status, url).toBe(400);
      expect(JSON.stringify(json)).toContain('serviceUrl');
    }
    expect(recorder.hits()).toBe(before);
  });
});
