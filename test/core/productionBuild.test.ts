/**
 * Issue #21, item 7: `npm run build` makes what the production start runs, and that start works.
 * The build runs here for real (into a directory of its own inside the app root) and the bundle
 * is started as the image starts it (node dist/bot/start.js) on real Redis: it loads the model
 * and the code cache the build saved (no warning about either), holds an Arabic conversation
 * through Direct Line with the official client, and stops cleanly on SIGTERM. A damaged code
 * cache costs start-up time only: V8 rejects it, the start says so and serves anyway.
 * (How fast it starts is a benchmark, bench/startup.ts, not a test.)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presentText } from '../../dialogs/format/outgoing';
import { NODE_TSX, ROOT, startProcess, type Child } from '../helpers/processes';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { Conversation, DL_DB, SECRET, t, textOf } from '../directline/support';

const OUT_NAME = `.build-test-${process.pid}`;
const OUT = path.join(ROOT, OUT_NAME);
const START = path.join(OUT_NAME, 'bot', 'start.js');
const CACHE = path.join(OUT, 'bot', 'server.cjs.cache');
const prefix = uniquePrefix('build');
const LISTENING = /"url":"(http:\/\/localhost:\d+)","msg":"Musaed is listening"/;
/** The process listens on HOST (127.0.0.1); its line names localhost. */
const base = (bot: Child) => bot.url.replace('localhost', '127.0.0.1');

let buildOutput = '';

function startBuilt(): Promise<Child> {
  return startProcess(
    START,
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      REDIS_URL: `redis://127.0.0.1:6379/${DL_DB}`,
      REDIS_KEY_PREFIX: prefix,
      DIRECTLINE_SECRET: SECRET,
    },
    LISTENING,
  );
}

beforeAll(async () => {
  const run = await promisify(execFile)(NODE_TSX[0], [...NODE_TSX.slice(1), 'scripts/build.ts', '--out', OUT_NAME], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  buildOutput = run.stdout + run.stderr;
}, 300_000);

afterAll(async () => {
  fs.rmSync(OUT, { recursive: true, force: true });
  const redis = testRedis(DL_DB);
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

describe('the production build and its start', () => {
  it('writes the bundle, its code cache and the trained model', () => {
    expect(buildOutput).toMatch(/bundle: .*server\.cjs/);
    expect(buildOutput).toMatch(/code cache: .*server\.cjs\.cache/);
    for (const file of ['bot/start.js', 'bot/server.cjs', 'bot/server.cjs.cache', 'model/understanding.bin', 'locales/ar/common.json', 'web/chat/index.html']) {
      expect(fs.existsSync(path.join(OUT, file)), file).toBe(true);
    }
  });

  it('starts from the bundle with the saved model and code cache, holds a conversation, stops on SIGTERM', async () => {
    const bot = await startBuilt();
    try {
      expect(bot.output()).toContain('understanding model loaded from the build');
      expect(bot.output()).not.toContain('code cache');
      expect(bot.output()).not.toContain('training at start-up');

      const res = await fetch(`${base(bot)}/v3/directline/tokens/generate`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } });
      expect(res.status).toBe(200);
      const { token } = (await res.json()) as { token: string };
      const c = new Conversation(base(bot), { token, webSocket: false, locale: 'ar-SA' });
      try {
        await c.waitForBot(2, 20_000);
        const faq = await c.say('كيف احجز موعد في الجوازات؟');
        expect(textOf(faq[0]!)).toContain(t('ar', 'faq:appointment.answer').slice(0, 60));
        const ask = await c.say('وش صار على طلبي ٤٠٠ ٠٠٠ ١٠١؟');
        expect(textOf(ask[0]!)).toBe(presentText(t('ar', 'verify:askId')));
      } finally {
        c.end();
      }
    } finally {
      expect(await bot.stop('SIGTERM')).toBe(0);
    }
  }, 120_000);

  it('starts without the code cache when V8 rejects it (a damaged file), and says so', async () => {
    const good = fs.readFileSync(CACHE);
    fs.writeFileSync(CACHE, good.subarray(0, Math.floor(good.length / 2)));
    try {
      const bot = await startBuilt();
      try {
        expect(bot.output()).toContain('code cache rejected');
        const ready = await fetch(`${base(bot)}/readyz`);
        expect(ready.status).toBe(200);
      } finally {
        await bot.stop('SIGTERM');
      }
    } finally {
      fs.writeFileSync(CACHE, good);
    }
  }, 120_000);
});
