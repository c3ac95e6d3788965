/**
 * The web chat page in a real browser (Debian's /usr/bin/chromium, headless, through
 * playwright-core): the app composed as bot/product.ts composes it (trained recognizer,
 * registered feature dialogs, services client against the simulator, Direct Line) plus the
 * page module, on real Redis (DB 5, a unique prefix, cleaned up). The page loads Web Chat
 * from our own origin, switches to Arabic (rtl), answers an FAQ with related questions as
 * buttons, switches to English, completes a status lookup, uploads a PDF, and after a
 * reload shows the same conversation. Screenshots go to test-output/browser/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Redis } from 'ioredis';
import { startApp } from '../helpers/app';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { ROOT } from '../helpers/processes';
import { createTranslator } from '../../bot/i18n';
import type { App } from '../../bot/app';
import { createSimulator, type Simulator } from '../../sim';
import { createServicesClient } from '../../adapters/services';
import { directLineChannel } from '../../adapters/directline';
import { webPageChannel } from '../../adapters/webpage';
import { createRecognizer } from '../../dialogs/understanding/recognizer';
import { describeInChromium, launchChromium } from './chromium';
import { presentText } from '../../dialogs/format/outgoing';

const SHOTS = path.join(ROOT, 'test-output', 'browser');
const DB = 5; // the Direct Line tests' database; everything here is under a unique prefix
const OTP = '246810';
const AHMED = '2345678904';
const { t } = createTranslator();
// A small but well-formed PDF (the endpoint checks the bytes, not the name).
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

describeInChromium('web chat page in Chromium', () => {
  let app: App & { baseUrl: string };
  let sim: Simulator;
  let browser: Browser;
  let page: Page;
  let redis: Redis;
  const prefix = uniquePrefix('webchat');
  /** Addresses the page asked for that are not our origin (must stay empty: no CDN). */
  const foreign: string[] = [];
  /** Everything the bot pushed down the page's WebSockets. */
  const frames: string[] = [];
  const cspViolations: string[] = [];

  /** A screenshot once Web Chat has finished scrolling to the newest message. */
  async function shot(name: string) {
    await expect
      .poll(() =>
        page.evaluate(() => {
          const s = document.querySelector('.webchat__basic-transcript__scrollable');
          return !s || s.scrollHeight - s.scrollTop - s.clientHeight < 2;
        }),
      )
      .toBe(true);
    await page.screenshot({ path: path.join(SHOTS, `webchat-${name}.png`) });
  }
  // Web Chat's markdown turns straight quotes into typographic ones.
  const plain = (s: string) => s.replace(/[‘’]/g, "'").replace(/[“”]/g, '"');
  const transcript = async () => plain(await page.locator('.webchat__basic-transcript__transcript').innerText());
  /** How many message bubbles show this text. */
  const bubbles = async (text: string) => (await page.locator('.webchat__bubble__content').allInnerTexts()).filter((b) => plain(b).includes(text)).length;
  const suggested = (title: string) => page.locator('.webchat__suggested-action', { hasText: title });
  const sessionOf = () => page.evaluate(() => JSON.parse(sessionStorage.getItem('musaed.chat.session') ?? 'null') as { conversationId: string; token: string } | null);
  async function send(text: string) {
    const box = page.locator('[data-id=webchat-sendbox-input]');
    await box.fill(text);
    await box.press('Enter');
  }
  /** Waits until the transcript shows this text (bot replies and user echoes alike). */
  async function see(text: string | RegExp, timeout = 15_000) {
    await expect
      .poll(transcript, { timeout })
      .toMatch(typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text);
  }
  const firstLine = (s: string) => s.split('\n')[0]!;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    redis = testRedis(DB);
    sim = createSimulator({ otpCode: OTP, apiKey: 'webchat-test-key' });
    const { url } = await sim.start();
    const services = createServicesClient({ baseUrl: url, apiKey: 'webchat-test-key', timeoutMs: 3000 });
    app = await startApp(
      // Heartbeats every second: a conversation the server lost has its sockets closed within one.
      // The quotas (10 messages per 10 s) are tested in test/directline/quotas.test.ts; this page test
      // clicks faster than a person and would meet them on an idle machine.
      { REDIS_URL: `redis://127.0.0.1:6379/${DB}`, REDIS_KEY_PREFIX: prefix, DIRECTLINE_HEARTBEAT_SECONDS: '1', DIRECTLINE_MESSAGE_BURST: '100', DIRECTLINE_MESSAGES_PER_MINUTE: '300' },
      {
        recognizer: createRecognizer(),
        // Default feature dialogs (the product's registry); typing shown at once so the test sees it.
        channels: [() => ({ services }), directLineChannel(), webPageChannel({ typingDelayMs: 0 })],
      },
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: 'en-US' });
    const origin = new URL(app.baseUrl);
    page.on('request', (req) => {
      const u = new URL(req.url());
      if (u.protocol !== 'data:' && u.protocol !== 'blob:' && u.host !== origin.host) foreign.push(req.url());
    });
    page.on('websocket', (ws) => {
      if (new URL(ws.url()).host !== origin.host) foreign.push(ws.url());
      ws.on('framereceived', (f) => frames.push(String(f.payload)));
    });
    page.on('console', (m) => {
      if (/Content Security Policy/.test(m.text())) cspViolations.push(m.text());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await sim?.stop();
    if (redis) {
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    }
  });

  it('serves the page and Web Chat from its own origin, with a CSP and no inline script', async () => {
    const res = await fetch(`${app.baseUrl}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const bundle = /"(\/webchat\/[\d.]+\/webchat\.js)"/.exec(html)?.[1];
    expect(bundle).toBeDefined();
    const js = await fetch(`${app.baseUrl}${bundle!}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await js.text()).length).toBeGreaterThan(1_000_000);
    expect((await fetch(`${app.baseUrl}/webchat/0.0.1/webchat.js`)).status).toBe(404);
    expect((await fetch(`${app.baseUrl}/chat/..%2Fagent%2Fconsole.js`)).status).toBe(404);
    const strings = (await (await fetch(`${app.baseUrl}/chat/strings/ar`)).json()) as Record<string, string>;
    expect(strings.brand).toBe(t('ar', 'web:brand'));
  });

  it('opens in the browser language (English), then switches to Arabic: rtl page and Web Chat, the bot told', async () => {
    await page.goto(`${app.baseUrl}/`);
    await see(firstLine(t('en', 'menu.prompt')), 20_000);
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('ltr');
    expect(await page.locator('[data-testid=brand]').textContent()).toBe('Musaed');
    expect(await page.locator('[data-testid=lang]').textContent()).toBe('العربية');

    await page.click('[data-testid=lang]');
    await see(t('ar', 'language.switched'));
    expect(await page.evaluate(() => [document.documentElement.dir, document.documentElement.lang])).toEqual(['rtl', 'ar']);
    expect(await page.locator('[data-testid=brand]').textContent()).toBe('مساعد');
    // Web Chat's own right-to-left layout, not only the page's.
    expect(await page.locator('.webchat__basic-transcript').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('.webchat__send-box').getAttribute('dir')).toBe('rtl');
    await expect.poll(() => page.locator('.webchat__bubble--rtl').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-id=webchat-sendbox-input]').getAttribute('placeholder')).toBe(t('ar', 'web:placeholder'));
    // The command went to the bot as a post back: not shown as a user message.
    expect(await page.locator('.webchat__bubble--from-user').count()).toBe(0);
    // The menu came back in Arabic as buttons.
    await expect.poll(() => suggested(t('ar', 'menu.toggle')).count()).toBe(1);
    await shot('1-arabic-welcome');
  });

  it('answers an Arabic FAQ with related questions as buttons, and one of them when clicked', async () => {
    await send('كيف احجز موعد في الجوازات');
    await see(t('ar', 'faq:appointment.answer'));
    for (const related of ['e_services_benefits', 'track_request', 'absher_register']) {
      await expect.poll(() => suggested(t('ar', `faq:${related}.question`)).count(), { timeout: 10_000 }).toBe(1);
    }
    // A turn shows the typing indicator: the bot's typing reached the page.
    expect(frames.some((f) => f.includes('"type":"typing"'))).toBe(true);
    await shot('2-arabic-faq');

    await suggested(t('ar', 'faq:track_request.question')).click();
    await see(firstLine(t('ar', 'faq:track_request.answer')));
    await expect.poll(() => bubbles(t('ar', 'faq:track_request.question'))).toBeGreaterThan(0);
    await shot('3-arabic-related');
  });

  it('switches to English in the same conversation and answers there, then a status lookup', async () => {
    const before = (await sessionOf())?.conversationId;
    await page.click('[data-testid=lang]');
    await see(t('en', 'language.switched'));
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('ltr');
    expect(await page.locator('.webchat__basic-transcript').getAttribute('dir')).toBe('ltr');
    expect((await sessionOf())?.conversationId).toBe(before);

    await send('How do I register in Absher?');
    await see(firstLine(t('en', 'faq:absher_register.answer')));

    await send('status 400000101');
    await see(t('en', 'verify:askId'));
    await send(AHMED);
    // As shown: the masked mobile inside its bidi isolate (dialogs/format/outgoing.ts).
    await see(presentText(t('en', 'verify:askCode', { mobile: '05******12' })));
    await send(OTP);
    await see(/Status: Recorded/);
    await shot('4-english-status');
  });

  it('uploads a PDF with the attachment button and shows it in the conversation', async () => {
    await page.setInputFiles('input.webchat__upload-button--file-input', { name: 'iqama-copy.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.locator('.webchat__send-button').click();
    const link = page.locator('.webchat__bubble--from-user a', { hasText: 'iqama-copy.pdf' });
    await expect.poll(() => link.count(), { timeout: 15_000 }).toBe(1);
    // Once the endpoint echoes it, the link is the stored file's signed address, and serves the bytes.
    await expect.poll(() => link.getAttribute('href'), { timeout: 15_000 }).toMatch(/\/v3\/directline\/conversations\/[^/]+\/files\/[^?]+\?exp=\d+&sig=/);
    const file = await fetch((await link.getAttribute('href'))!);
    expect(Buffer.from(await file.arrayBuffer()).equals(PDF)).toBe(true);
    await shot('5-upload');
  });

  it('after a reload shows the same conversation, its history, and no second welcome', async () => {
    const before = await sessionOf();
    await page.reload();
    await see(firstLine(t('ar', 'faq:appointment.answer')), 20_000);
    await see('iqama-copy.pdf');
    await see(/Status: Recorded/);
    const after = await sessionOf();
    expect(after?.conversationId).toBe(before?.conversationId);
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('ltr');
    expect(await bubbles(firstLine(t('en', 'welcome')))).toBe(1);
    // Still the same conversation for the bot: it answers in English (its saved preference).
    await send('hello');
    await see(t('en', 'greeting.return.hello'));
    await shot('6-after-reload');

  });

  it("follows the bot's own language button: the page turns Arabic too", async () => {
    await suggested(t('en', 'menu.toggle')).click();
    await see(t('ar', 'language.switched'));
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await page.locator('.webchat__basic-transcript').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('[data-testid=lang]').textContent()).toBe('English');
    await shot('7-bot-button-arabic');
  });

  it('starts a new conversation when the stored token no longer works, and on "New chat"', async () => {
    const old = await sessionOf();
    await page.evaluate(() => {
      const saved = JSON.parse(sessionStorage.getItem('musaed.chat.session') ?? '{}') as Record<string, unknown>;
      sessionStorage.setItem('musaed.chat.session', JSON.stringify({ ...saved, token: `${String(saved.token)}x` }));
    });
    await page.reload();
    await see(firstLine(t('ar', 'welcome')), 20_000);
    const fresh = await sessionOf();
    expect(fresh?.conversationId).not.toBe(old?.conversationId);
    expect(await transcript()).not.toContain('iqama-copy.pdf');

    await page.click('[data-testid=new-chat]');
    await page.click('[data-testid=confirm-new-yes]');
    await expect.poll(async () => (await sessionOf())?.conversationId, { timeout: 20_000 }).not.toBe(fresh?.conversationId);
    await see(firstLine(t('ar', 'welcome')), 20_000);
    await shot('8-new-chat');

  });

  it('when the server has lost the conversation (Redis reset), says so plainly and starts it again', async () => {
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { started?: boolean };
    // Once under way, the stored token says so (refreshed by the page).
    await expect.poll(async () => claims((await sessionOf())?.token ?? '..').started, { timeout: 20_000 }).toBe(true);
    const conv = (await sessionOf())?.conversationId;
    await deleteByPrefix(redis, prefix); // the reset
    await see(t('ar', 'errors.conversationLost'), 40_000);
    expect((await sessionOf())?.conversationId).toBe(conv);
    await send('السلام عليكم');
    await see(t('ar', 'greeting.return.salam'));
    await shot('9-conversation-lost');

    expect(foreign, 'requests outside our origin').toEqual([]);
    expect(cspViolations).toEqual([]);
  }, 60_000);
});
