/**
 * The agent console in a real browser (headless Chromium through playwright-core): sign in,
 * see the queue live, claim, read the masked transcript and the context, chat both ways,
 * end. Markup typed by a user is shown as text and never runs. Screenshots go to
 * test-output/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Redis } from 'ioredis';
import { startApp } from '../helpers/app';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { say } from '../helpers/http';
import { ROOT } from '../helpers/processes';
import { handoffModule } from '../../adapters/handoff';
import { handoffDialogFactory } from '../../dialogs/handoffDialog';
import type { App } from '../../bot/app';
import { HANDOFF_DB, REDIS_URL, startRecorder, type Recorder } from '../handoff/support';
import { HAVE_CHROMIUM, axeViolations, describeInChromium, describeViolations, launchChromium } from './chromium';
import { createTranslator } from '../../bot/i18n';

const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
const { t } = createTranslator();
const XSS_REASON = '<img src=x onerror="window.__xss=2">الدفع لم يكتمل';
const XSS_EARLIER = '<script>window.__xss=1</script><b>عريض</b>';

let app: App & { baseUrl: string };
let browser: Browser;
let page: Page;
let recorder: Recorder;
let redis: Redis;
const prefix = uniquePrefix('console');

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return; // the suite is skipped, or fails with its own message (CI=true)
  fs.mkdirSync(SHOTS, { recursive: true });
  redis = testRedis(HANDOFF_DB);
  recorder = await startRecorder();
  app = await startApp(
    { REDIS_URL, REDIS_KEY_PREFIX: prefix, HANDOFF_SWEEP_MS: '3600000' },
    { channels: [handoffModule()], features: [handoffDialogFactory] },
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await recorder?.close();
  if (redis) {
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  }
});

const user = (text: string) => say(app.baseUrl, 'web-1', text, { extra: { serviceUrl: recorder.url } });

describeInChromium('agent console in Chromium', () => {
  it('refuses a wrong password and signs in the agent', async () => {
    await page.goto(`${app.baseUrl}/agent`);
    await expect.poll(() => page.locator('[data-testid=signin]').textContent()).toBe('تسجيل الدخول');
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await page.locator('#desk').isHidden()).toBe(true);
    await page.fill('#username', 'agent');
    await page.fill('#password', 'wrong-password');
    await page.click('[data-testid=signin]');
    await expect.poll(() => page.locator('[data-testid=login-error]').textContent()).toContain('غير صحيحة');
    await page.screenshot({ path: path.join(SHOTS, 'agent-console-1-login-error.png') });
    expect(describeViolations(await axeViolations(page))).toEqual([]);

    await page.fill('#password', 'agent123');
    await page.click('[data-testid=signin]');
    await expect.poll(() => page.locator('[data-testid=me]').textContent()).toBe('أحمد');
  });

  it('shows the queue live, with typed markup as text, and claims', async () => {
    await user(XSS_EARLIER);
    await user('رقم هويتي 2345678904');
    await user('موظف');
    await user(XSS_REASON);
    const item = page.locator('[data-testid=queue-item]');
    await expect.poll(() => item.count(), { timeout: 15_000 }).toBe(1);
    expect(await item.locator('[data-testid=reason]').textContent()).toBe(XSS_REASON);
    expect(await page.locator('#queue img').count()).toBe(0);
    // The channel by name, not its id; and how long it has waited (until claimed).
    expect(await item.textContent()).toContain(t('ar', 'handoff:console.channelEmulator'));
    expect(await item.textContent()).toContain('ينتظر منذ');
    expect(await page.title()).toBe(t('ar', 'handoff:console.title'));
    expect(describeViolations(await axeViolations(page))).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'agent-console-2-queue.png') });

    await item.locator('[data-testid=claim]').click();
    const transcript = page.locator('[data-testid=transcript]');
    await expect.poll(() => transcript.textContent()).toContain(XSS_EARLIER);
    expect(await transcript.textContent()).toContain('2*****8904');
    expect(await transcript.textContent()).not.toContain('2345678904');
    expect(await page.locator('[data-testid=conversation] script, [data-testid=conversation] b').count()).toBe(0);
    expect(await page.locator('[data-testid=context]').textContent()).toContain(XSS_REASON);
    expect(await page.locator('[data-testid=context]').textContent()).toContain('طلبه المستخدم');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await recorder.waitFor('web-1', (a) => (a.text ?? '').includes('انضم إليك أحمد'));
    // Claimed: the item says who holds it; the waiting clock stops.
    await expect.poll(() => item.textContent()).toContain(t('ar', 'handoff:console.heldBy', { agent: 'أحمد' }));
    expect(await item.textContent()).not.toContain('ينتظر منذ');
  });

  it('chats both ways live and ends the chat', async () => {
    await user('<script>window.__xss=3</script> هل وصلك طلبي؟');
    const chat = page.locator('[data-testid=chat]');
    await expect.poll(() => chat.textContent(), { timeout: 15_000 }).toContain('<script>window.__xss=3</script> هل وصلك طلبي؟');

    await page.fill('[data-testid=message]', 'نعم، وصلني وأتحقق منه الآن');
    await page.click('[data-testid=send]');
    const delivered = await recorder.waitFor('web-1', (a) => (a.text ?? '').includes('أتحقق منه'));
    expect(delivered.from).toMatchObject({ name: 'أحمد', role: 'agent' });
    await expect.poll(() => chat.locator('li.agent').count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await page.screenshot({ path: path.join(SHOTS, 'agent-console-3-chat.png'), fullPage: true });
    expect(describeViolations(await axeViolations(page))).toEqual([]);

    await page.click('[data-testid=end]');
    await recorder.waitFor('web-1', (a) => (a.text ?? '').includes('ما تقييمك'));
    await expect.poll(() => page.locator('#conv').isHidden()).toBe(true);
    await expect.poll(() => page.locator('[data-testid=queue-item]').count()).toBe(0);

    await page.click('[data-testid=lang]');
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('ltr');
    await expect.poll(() => page.locator('[data-testid=signout]').textContent()).toBe('Sign out');
    await page.screenshot({ path: path.join(SHOTS, 'agent-console-4-english-empty.png') });
  });
});
