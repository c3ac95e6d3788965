/**
 * The web chat page around Web Chat, in a real browser (Debian's Chromium through
 * playwright-core), on the app as the product composes it (trained recognizer, Direct Line,
 * the page module; real Redis DB 5 under a unique prefix): its own welcome before Web Chat has
 * loaded; phones 320–430 px and a desktop in both languages with nothing wider than the screen;
 * the page following the bot's language however the user asked; "New chat" asking first;
 * Web Chat's wording replaced; axe-core at zero violations (page in both languages, dialog). Screenshots go to
 * test-output/browser/page-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Redis } from 'ioredis';
import { startApp } from '../helpers/app';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { ROOT } from '../helpers/processes';
import { createTranslator } from '../../bot/i18n';
import type { App } from '../../bot/app';
import { directLineChannel } from '../../adapters/directline';
import { pageLanguage, webPageChannel } from '../../adapters/webpage';
import { createRecognizer } from '../../dialogs/understanding/recognizer';
import { HAVE_CHROMIUM, axeViolations, describeInChromium, describeViolations, launchChromium } from './chromium';

const SHOTS = path.join(ROOT, 'test-output', 'browser');
const DB = 5;
const { t } = createTranslator();
const LOCALE = { ar: 'ar-SA', en: 'en-US' } as const;
type Lang = keyof typeof LOCALE;
const WIDTHS = [320, 360, 390, 430, 1280];
const SHOT_WIDTHS = new Set([360, 390, 1280]);
const firstLine = (s: string) => s.split('\n')[0]!;

let app: App & { baseUrl: string };
let browser: Browser;
let redis: Redis;
const prefix = uniquePrefix('webpage');
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return; // skipped, or failing with its own message (CI=true)
  fs.mkdirSync(SHOTS, { recursive: true });
  redis = testRedis(DB);
  app = await startApp(
    { REDIS_URL: `redis://127.0.0.1:6379/${DB}`, REDIS_KEY_PREFIX: prefix },
    { recognizer: createRecognizer(), channels: [directLineChannel(), webPageChannel()] },
  );
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await app?.close();
  if (redis) {
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  }
});

/** A fresh browser profile speaking this language (Accept-Language and navigator.languages). */
async function openPage(lang: Lang, viewport = { width: 390, height: 844 }): Promise<Page> {
  const context = await browser.newContext({ locale: LOCALE[lang], viewport, hasTouch: viewport.width < 500, isMobile: viewport.width < 500 });
  contexts.push(context);
  return context.newPage();
}

// Web Chat's markdown turns straight quotes into typographic ones.
const plain = (s: string) => s.replace(/[‘’]/g, "'").replace(/[“”]/g, '"');
const transcript = async (page: Page) => plain(await page.locator('.webchat__basic-transcript__transcript').innerText());
async function see(page: Page, text: string, timeout = 20_000) {
  await expect.poll(() => transcript(page), { timeout }).toContain(text);
}
async function send(page: Page, text: string) {
  const box = page.locator('[data-id=webchat-sendbox-input]');
  await box.fill(text);
  await box.press('Enter');
}
const pageDir = (page: Page) => page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]);
/** A screenshot once Web Chat has scrolled to the newest message. */
async function shot(page: Page, name: string) {
  await expect
    .poll(() =>
      page.evaluate(() => {
        const s = document.querySelector('.webchat__basic-transcript__scrollable');
        return !s || s.scrollHeight - s.scrollTop - s.clientHeight < 2;
      }),
    )
    .toBe(true);
  await page.screenshot({ path: path.join(SHOTS, `page-${name}.png`) });
}

/**
 * What does not fit a screen this wide: the page wider than it, or a control outside it. Against
 * the screen's width, not innerWidth: a phone zooms out to show a page that is too wide, and
 * innerWidth grows with it.
 */
function overflow(page: Page, screen: { width: number; height: number }) {
  return page.evaluate(({ width, height }) => {
    const problems: string[] = [];
    const scrollWidth = document.scrollingElement?.scrollWidth ?? 0;
    if (scrollWidth > width) problems.push(`page is ${scrollWidth}px wide on a ${width}px screen`);
    if (window.innerWidth !== width) problems.push(`zoomed out to show ${window.innerWidth}px on a ${width}px screen`);
    const controls: Array<[string, string]> = [
      ['send button', '.webchat__send-button'],
      ['upload button', '.webchat__upload-button'],
      ['message box', '[data-id=webchat-sendbox-input]'],
      ['new chat', '[data-testid=new-chat]'],
      ['language', '[data-testid=lang]'],
      ['brand', '[data-testid=brand]'],
    ];
    for (const [name, selector] of controls) {
      const node = document.querySelector(selector);
      if (!node) {
        problems.push(`${name} missing`);
        continue;
      }
      const r = node.getBoundingClientRect();
      if (r.left < -0.5 || r.right > width + 0.5 || r.width < 1) problems.push(`${name} at ${Math.round(r.left)}–${Math.round(r.right)} of ${width}px`);
    }
    // The page fills the height: the send box sits at the bottom of the window, above the note.
    const shell = document.querySelector('.shell')!.getBoundingClientRect();
    if (Math.abs(shell.height - height) > 1) problems.push(`page is ${Math.round(shell.height)}px tall on a ${height}px screen`);
    return problems;
  }, screen);
}

describeInChromium('web chat page: phones, language, welcome, accessibility', () => {
  it('chooses the first language from Accept-Language', () => {
    expect(pageLanguage('en-US,en;q=0.9,ar;q=0.8')).toBe('en');
    expect(pageLanguage('ar-SA,en;q=0.5')).toBe('ar');
    expect(pageLanguage('fr-FR,ar;q=0.4,en;q=0.7')).toBe('en');
    expect(pageLanguage('fr-FR')).toBe('ar');
    expect(pageLanguage(undefined)).toBe('ar');
    expect(pageLanguage('en;q=0,ar')).toBe('ar');
  });

  for (const lang of ['ar', 'en'] as const) {
    it(`fits ${WIDTHS.join(', ')} px wide in ${lang === 'ar' ? 'Arabic' : 'English'}, with its own welcome before Web Chat loads, no sideways scrolling, in the page's wording, and axe finds nothing`, async () => {
      const page = await openPage(lang, { width: 390, height: 844 });

      // At once, before Web Chat: the page's own welcome, in the browser's language. Web Chat's
      // bundle is held back until the welcome has been checked.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/webchat/*/webchat.js', async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${app.baseUrl}/`, { waitUntil: 'domcontentloaded' });
      const welcome = page.locator('[data-testid=welcome]');
      await expect.poll(() => welcome.isVisible()).toBe(true);
      expect(await welcome.textContent()).toContain(t(lang, 'web:welcomeTitle'));
      expect(await welcome.textContent()).toContain(t(lang, 'web:connecting'));
      expect(await page.title()).toBe(t(lang, 'web:title'));
      expect(await pageDir(page)).toEqual([lang, lang === 'ar' ? 'rtl' : 'ltr']);
      expect(await page.evaluate(() => 'WebChat' in window)).toBe(false);
      expect(await page.locator('link[rel=icon]').getAttribute('href')).toBe('/chat/logo.svg');
      await page.screenshot({ path: path.join(SHOTS, `page-welcome-before-load-${lang}.png`) });
      release();
      await see(page, firstLine(t(lang, 'menu.prompt')));
      // The bot's own welcome replaces the page's.
      await expect.poll(() => welcome.isVisible()).toBe(false);

      // A long answer with a numbered list and related questions as buttons.
      await send(page, lang === 'ar' ? 'كيف اسجل في أبشر' : 'How do I open an Absher account?');
      await see(page, firstLine(t(lang, 'faq:absher_register.answer')));
      // The message box's default width is 20 characters of whatever font the phone has: a wide
      // font made the send box overflow a 390 px screen. size=60 stands in for such a font.
      await page.locator('[data-id=webchat-sendbox-input]').evaluate((input) => input.setAttribute('size', '60'));
      for (const width of WIDTHS) {
        const screen = { width, height: width < 500 ? 844 : 860 };
        await page.setViewportSize(screen);
        await expect.poll(() => overflow(page, screen), { message: `${lang} at ${width}px` }).toEqual([]);
        if (SHOT_WIDTHS.has(width)) await shot(page, `${lang}-${width}`);
      }
      expect(describeViolations(await axeViolations(page))).toEqual([]);

      // Web Chat's wording replaced by the page's (web.json → webChat), for buttons and for
      // what screen readers announce before each message.
      expect(await page.getByRole('button', { name: t(lang, 'web:webChat.TEXT_INPUT_UPLOAD_BUTTON_ALT') }).count()).toBe(1);
      expect(await page.getByRole('textbox', { name: t(lang, 'web:webChat.TEXT_INPUT_ALT') }).count()).toBe(1);
      const html = await page.content();
      expect(html).toContain(t(lang, 'web:webChat.ACTIVITY_BOT_SAID_ALT'));
      for (const webChatOwn of ['قابل الروبوت', 'تحميل الملف', 'Bot M said', 'Upload file']) expect(html).not.toContain(webChatOwn);
      await page.context().close();
    }, 60_000);
  }

  it('follows the bot into English and back, however the user asked, English lists reading left to right', async () => {
    const page = await openPage('ar');
    await page.goto(`${app.baseUrl}/`);
    await see(page, firstLine(t('ar', 'menu.prompt')));
    expect(await pageDir(page)).toEqual(['ar', 'rtl']);

    await send(page, 'can you reply in english please');
    await see(page, t('en', 'language.switched'));
    await expect.poll(() => pageDir(page)).toEqual(['en', 'ltr']);
    expect(await page.locator('.webchat__basic-transcript').getAttribute('dir')).toBe('ltr');
    expect(await page.locator('[data-testid=lang]').textContent()).toBe(t('ar', 'web:languageName'));
    expect(await page.locator('[data-id=webchat-sendbox-input]').getAttribute('placeholder')).toBe(t('en', 'web:placeholder'));

    await send(page, 'How do I open an Absher account?');
    await see(page, firstLine(t('en', 'faq:absher_register.answer')));
    // The English list: left to right, its items starting at the left edge.
    const englishList = page.locator('.webchat__render-markdown li', { hasText: 'Your details' }).first();
    const leftAligned = () =>
      englishList.evaluate((li) => {
        const range = document.createRange();
        range.selectNodeContents(li);
        const text = range.getBoundingClientRect();
        const box = li.getBoundingClientRect();
        return { dir: getComputedStyle(li).direction, bidi: getComputedStyle(li).unicodeBidi, left: Math.round(text.left - box.left) <= 2 };
      });
    expect(await leftAligned()).toEqual({ dir: 'ltr', bidi: 'plaintext', left: true });
    await shot(page, 'followed-english');

    await send(page, 'كلمني عربي');
    await see(page, t('ar', 'language.switched'));
    await expect.poll(() => pageDir(page)).toEqual(['ar', 'rtl']);
    expect(await page.locator('.webchat__basic-transcript').getAttribute('dir')).toBe('rtl');
    // The English answer above still reads left to right, its numbers and lines at the left.
    expect(await leftAligned()).toEqual({ dir: 'ltr', bidi: 'plaintext', left: true });
    const arabicReply = page.locator('.webchat__render-markdown p', { hasText: t('ar', 'language.switched') }).last();
    expect(await arabicReply.evaluate((p) => getComputedStyle(p).direction)).toBe('rtl');
    await shot(page, 'followed-arabic');
    await page.context().close();
  }, 90_000);

  it('asks before "New chat" wipes the conversation, in an accessible dialog', async () => {
    const page = await openPage('ar', { width: 360, height: 740 });
    await page.goto(`${app.baseUrl}/`);
    await see(page, firstLine(t('ar', 'menu.prompt')));
    const conversation = () => page.evaluate(() => (JSON.parse(sessionStorage.getItem('musaed.chat.session') ?? 'null') as { conversationId: string } | null)?.conversationId);
    const first = await conversation();
    const dialog = page.getByRole('dialog', { name: t('ar', 'web:newChatTitle') });

    await page.click('[data-testid=new-chat]');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain(t('ar', 'web:newChatBody'));
    // The safe choice has the focus; Escape keeps the conversation.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('confirm-new-cancel');
    expect(describeViolations(await axeViolations(page))).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'page-confirm-new-chat-ar-360.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await page.click('[data-testid=new-chat]');
    await page.click('[data-testid=confirm-new-cancel]');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await conversation()).toBe(first);
    expect(await transcript(page)).toContain(firstLine(t('ar', 'menu.prompt')));

    await page.click('[data-testid=new-chat]');
    await page.click('[data-testid=confirm-new-yes]');
    await expect.poll(conversation, { timeout: 20_000 }).not.toBe(first);
    await see(page, firstLine(t('ar', 'welcome')));
    await page.context().close();
  }, 60_000);
});
