/**
 * The web chat page as a channel module:
 *   GET /                                the page (web/chat/index.html)
 *   GET /chat/:file                      its script, style sheet and logo
 *   GET /chat/strings/:lang              its strings (locales/<lang>/web.json)
 *   GET /webchat/<version>/webchat.js    the Web Chat bundle from node_modules (no CDN)
 * The page talks to the bot through the Direct Line endpoint (adapters/directline). The
 * module also shows the user a typing indicator on Direct Line while a turn runs long.
 *
 * The page arrives already written in the browser's language (Accept-Language: Arabic unless
 * English comes first): its title, header and welcome are filled in here from web.json, so the
 * welcome shows at first paint while the 4 MB Web Chat bundle is still loading.
 */
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ShowTypingMiddleware } from 'botbuilder';
import type { Request, Response } from 'restify';
import type { ChannelModule } from '../../bot/app';
import { loadResources } from '../../bot/i18n';
import { DIRECTLINE_CHANNEL_ID } from '../directline/activities';
import { publicOrigin } from '../directline/http';
import { APP_ROOT } from '../../bot/appRoot';

export const CHAT_STATIC_DIR = path.join(APP_ROOT, 'web', 'chat');

/** The Web Chat package's directory: its bundle is served from there, as installed. */
function webChatPackage(): { dir: string; version: string } {
  const require = createRequire(import.meta.url);
  // The package's exports hide package.json; its CommonJS entry (lib/index.js) sits one level down.
  const dir = path.resolve(path.dirname(require.resolve('botframework-webchat')), '..');
  const { version } = require(path.join(dir, 'package.json')) as { version: string };
  return { dir, version };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Arabic unless the browser ranks English above it (the page switches later if told to). */
export function pageLanguage(acceptLanguage: string | undefined): 'ar' | 'en' {
  const ranked = String(acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { lang: tag.split('-')[0], q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((r) => (r.lang === 'ar' || r.lang === 'en') && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.lang === 'en' ? 'en' : 'ar';
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Fills the page's {{lang}}, {{dir}}, {{otherLang}}, and {{t:key}} / {{other:key}}: a web.json
 * string of the page's language or of the other one (the language button), HTML-escaped.
 */
function fillPage(template: string, lang: 'ar' | 'en', strings: (lang: 'ar' | 'en') => Record<string, unknown>): string {
  const other = lang === 'ar' ? 'en' : 'ar';
  const text = (of: 'ar' | 'en', key: string) => {
    const value = strings(of)[key];
    return escapeHtml(typeof value === 'string' ? value : '');
  };
  return template
    .replaceAll('{{lang}}', lang)
    .replaceAll('{{dir}}', lang === 'ar' ? 'rtl' : 'ltr')
    .replaceAll('{{otherLang}}', other)
    .replace(/\{\{(t|other):([A-Za-z0-9_]+)\}\}/g, (_m, which: string, key: string) => text(which === 't' ? lang : other, key));
}

const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/**
 * Scripts only from this origin (no inline script). Web Chat writes its styles at run time
 * (emotion), so inline styles are allowed: a nonce would not do, as Web Chat 4.18 does not
 * hand its nonce to the scroll container (react-scroll-to-bottom), whose styles would then be
 * blocked. Images: uploads preview as blob:/data: URLs, and cards may show https images.
 */
function contentSecurityPolicy(wsOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "media-src 'self' data: blob:",
    "font-src 'self' data:",
    // 'self' covers same-origin WebSockets in current browsers; the explicit origin covers the rest.
    // blob: because the Direct Line client reads a chosen file back from its blob: URL to upload it.
    `connect-src 'self' blob: ${wsOrigin}`,
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

export interface WebPageOptions {
  /** Where the page's files are (default web/chat). */
  staticDir?: string;
  /** Typing indicator on Direct Line: after this many ms of a turn (default 500), every periodMs (2000). */
  typingDelayMs?: number;
  typingPeriodMs?: number;
}

export function webPageChannel(options: WebPageOptions = {}): ChannelModule {
  return (ctx) => {
    const logger = ctx.logger.child({ module: 'webpage' });
    const staticDir = options.staticDir ?? CHAT_STATIC_DIR;
    const webChat = webChatPackage();
    const bundlePath = path.join(webChat.dir, 'dist', 'webchat.js');
    const bundleUrl = `/webchat/${webChat.version}/webchat.js`;

    // The page's strings, read once (locale files do not change while the process runs).
    const resources = loadResources();
    const webStrings = (lang: string) => (resources[lang === 'en' ? 'en' : 'ar']?.web ?? {}) as Record<string, unknown>;
    const stringsOf = (lang: string) => JSON.stringify(webStrings(lang));

    // The bundle is ~4 MB and never changes: read and gzip it once, on first request.
    let bundle: Promise<{ raw: Buffer; gz: Buffer }> | undefined;
    const loadBundle = () =>
      (bundle ??= fs.readFile(bundlePath).then(async (raw) => ({ raw, gz: await promisify(gzip)(raw) }))).catch((err: unknown) => {
        bundle = undefined;
        throw err;
      });

    // The page names the bundle by its version; read once.
    let page: Promise<string> | undefined;
    const loadPage = () =>
      (page ??= fs.readFile(path.join(staticDir, 'index.html'), 'utf8').then((html) => html.replaceAll('__WEBCHAT_BUNDLE__', bundleUrl))).catch((err: unknown) => {
        page = undefined;
        throw err;
      });

    // Returns nothing: restify warns about a value returned from an async handler.
    const notFound = (res: Response): void => void res.send(404, { error: 'not_found' });

    ctx.server.get('/', async (req: Request, res: Response) => {
      try {
        const lang = pageLanguage(req.headers['accept-language']);
        const html = fillPage(await loadPage(), lang, webStrings);
        const wsOrigin = publicOrigin(req, ctx.config.PUBLIC_URL).replace(/^http/, 'ws');
        res.writeHead(200, {
          'content-type': TYPES['.html']!,
          'content-security-policy': contentSecurityPolicy(wsOrigin),
          'x-frame-options': 'DENY',
          'cache-control': 'no-store',
          'content-language': lang,
          vary: 'accept-language',
          ...COMMON_HEADERS,
        });
        res.end(html);
      } catch (err) {
        logger.error({ err }, 'web chat page not served');
        res.send(500, { error: 'internal' });
      }
    });

    ctx.server.get('/chat/strings/:lang', async (req: Request, res: Response) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', ...COMMON_HEADERS });
      res.end(stringsOf(String((req.params as Record<string, string>).lang ?? '')));
    });

    ctx.server.get('/chat/:file', async (req: Request, res: Response) => {
      const file = String((req.params as Record<string, string>).file ?? '');
      const type = TYPES[path.extname(file)];
      if (!/^[a-z0-9_-]+\.(js|css|svg)$/i.test(file) || !type) return notFound(res);
      try {
        const body = await fs.readFile(path.join(staticDir, file));
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', ...COMMON_HEADERS });
        res.end(body);
      } catch {
        notFound(res);
      }
    });

    ctx.server.get('/webchat/:version/webchat.js', async (req: Request, res: Response) => {
      if ((req.params as Record<string, string>).version !== webChat.version) return notFound(res);
      try {
        const { raw, gz } = await loadBundle();
        const zipped = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        res.writeHead(200, {
          'content-type': TYPES['.js']!,
          'content-length': String(zipped ? gz.length : raw.length),
          ...(zipped ? { 'content-encoding': 'gzip' } : {}),
          vary: 'accept-encoding',
          // The version is in the address: a new package gets a new URL.
          'cache-control': 'public, max-age=31536000, immutable',
          ...COMMON_HEADERS,
        });
        res.end(zipped ? gz : raw);
      } catch (err) {
        logger.error({ err }, 'Web Chat bundle not found: is botframework-webchat installed?');
        res.send(500, { error: 'internal' });
      }
    });

    // A turn that takes a while (a services call, a cold classifier) shows "typing…" on the page.
    const typing = new ShowTypingMiddleware(options.typingDelayMs ?? 500, options.typingPeriodMs ?? 2000);
    ctx.use({
      onTurn: async (context, next) =>
        context.activity.channelId === DIRECTLINE_CHANNEL_ID ? typing.onTurn(context, next) : next(),
    });

    logger.info({ webChat: webChat.version }, 'web chat page at /');
  };
}
