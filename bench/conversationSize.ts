/**
 * What Redis really keeps for one web chat conversation (issue 21, item 8): the product in a
 * process of its own (bench/targets/product.ts, Redis DB 6 under a unique prefix, removed at
 * the end), one conversation driven through Direct Line as the page drives it (anonymous token,
 * POST /conversations, each message posted and its reply awaited), measured after 10 and after
 * 300 turns: MEMORY USAGE of every key under the prefix, by kind, and the stored bytes.
 *   node --import tsx bench/conversationSize.ts
 * Turns cycle through greetings, FAQ questions in both languages and the menu.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ROOT } from './lib/processes';

const prefix = `bench:size:${randomBytes(4).toString('hex')}:`;
const redis = new Redis('redis://127.0.0.1:6379/6');
const MESSAGES = ['السلام عليكم', 'كم رسوم تجديد الجواز؟', 'القائمة', 'How do I renew my passport?', 'شكرا', 'متى ينتهي جوازي؟', 'hello', 'ما هي شروط إصدار جواز لطفل؟'];

function startProduct(): Promise<{ url: string; stop: () => void }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/targets/product.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      REDIS_URL: 'redis://127.0.0.1:6379/6',
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'error',
      NODE_ENV: 'development',
      DIRECTLINE_ALLOW_ANONYMOUS: 'true',
      DIRECTLINE_MESSAGES_PER_MINUTE: '100000',
      DIRECTLINE_MESSAGE_BURST: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not started:\n${out}`)), 90_000);
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening (http\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, stop: () => proc.kill('SIGTERM') });
      }
    });
  });
}

/** The kind of a key, from its name (the prefix removed, the conversation's and user's ids generalised). */
function kindOf(key: string): string {
  const k = key.slice(prefix.length);
  if (/^st:\{[^}]*\/conversations\//.test(k)) return 'conversation state';
  if (/^st:\{[^}]*\/users\//.test(k)) return 'user state';
  if (k.startsWith('tx:')) return 'transcript';
  if (/^dl:\{[^}]*\}:acts$/.test(k)) return 'Direct Line activities';
  if (/^dl:\{[^}]*\}:inbox/.test(k) || k.startsWith('dl:inbox')) return 'Direct Line inbox';
  if (k.startsWith('dl:rl:')) return 'Direct Line rate limits';
  if (k.startsWith('dl:')) return `Direct Line ${k.replace(/^dl:\{[^}]*\}:/, '').replace(/:.*$/, '')}`;
  if (k.startsWith('lock:')) return 'turn lock';
  return k.replace(/\{[^}]*\}/, '{…}').replace(/:[A-Za-z0-9_-]{16,}.*$/, ':…');
}

async function measure(conv: string): Promise<{ total: number; kinds: Record<string, { keys: number; bytes: number }> }> {
  const kinds: Record<string, { keys: number; bytes: number }> = {};
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      // Only this conversation's keys and the shared ones it adds to (the user's state, indexes).
      if (!key.includes(conv) && !key.includes('/users/')) continue;
      const bytes = Number((await redis.memory('USAGE', key, 'SAMPLES', '0')) ?? 0);
      const kind = kindOf(key);
      kinds[kind] ??= { keys: 0, bytes: 0 };
      kinds[kind].keys++;
      kinds[kind].bytes += bytes;
      total += bytes;
    }
  } while (cursor !== '0');
  return { total, kinds };
}

async function converse(url: string, turns: number, report: number[]): Promise<void> {
  const dl = `${url}/v3/directline`;
  const { token } = (await (await fetch(`${dl}/tokens/generate`, { method: 'POST' })).json()) as { token: string };
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const started = (await (await fetch(`${dl}/conversations`, { method: 'POST', headers: auth, body: JSON.stringify({ locale: 'ar-SA' }) })).json()) as { conversationId: string };
  const conv = started.conversationId;
  let watermark = 0;
  const until = async (done: (a: { replyToId?: string; from?: { role?: string } }) => boolean) => {
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      const page = (await (await fetch(`${dl}/conversations/${conv}/activities?watermark=${watermark}`, { headers: auth })).json()) as {
        activities: Array<{ replyToId?: string; from?: { role?: string } }>;
        watermark: string;
      };
      watermark = Number(page.watermark);
      if (page.activities.some(done)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no reply within 15 s');
  };
  await until((a) => a.from?.role === 'bot'); // the welcome
  for (let turn = 1; turn <= turns; turn++) {
    const text = MESSAGES[(turn - 1) % MESSAGES.length]!;
    const res = await fetch(`${dl}/conversations/${conv}/activities`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'message', from: { id: 'x' }, text, locale: /[a-z]/i.test(text) ? 'en-US' : 'ar-SA' }) });
    if (res.status !== 200) throw new Error(`turn ${turn}: HTTP ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    await until((a) => a.replyToId === id);
    if (report.includes(turn)) {
      await new Promise((r) => setTimeout(r, 300)); // the turn's last writes
      const { total, kinds } = await measure(conv);
      const rows = Object.entries(kinds)
        .sort((x, y) => y[1].bytes - x[1].bytes)
        .map(([kind, v]) => `${kind} ${(v.bytes / 1024).toFixed(2)} KB (${v.keys} key${v.keys > 1 ? 's' : ''})`);
      const acts = await redis.llen(`${prefix}dl:{${conv}}:acts`);
      console.log(`after ${turn} turns: ${(total / 1024).toFixed(2)} KB in all; ${rows.join('; ')}; Direct Line list ${acts} entries`);
    }
  }
}

const product = await startProduct();
try {
  await converse(product.url, 300, [10, 300]);
} finally {
  product.stop();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}
