/**
 * One-off probes against a running target: a single turn, lost updates when 50 messages
 * reach one conversation at once, and the product's state in Redis (MEMORY USAGE).
 */
import type { Redis } from 'ioredis';

export function activity(conversation: string, text: string, locale = 'ar-SA'): string {
  return JSON.stringify({
    type: 'message',
    id: `p-${Math.random().toString(36).slice(2)}`,
    timestamp: new Date().toISOString(),
    channelId: 'emulator',
    serviceUrl: 'http://127.0.0.1:9/',
    deliveryMode: 'expectReplies',
    from: { id: `u-${conversation}`, name: 'bench', role: 'user' },
    recipient: { id: 'bot', name: 'bot', role: 'bot' },
    conversation: { id: conversation, isGroup: false, conversationType: 'personal' },
    locale,
    text,
  });
}

/** One turn; the joined texts of the replies. */
export async function turn(url: string, conversation: string, text: string, locale?: string): Promise<string> {
  const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: activity(conversation, text, locale) });
  const body = (await res.json().catch(() => ({}))) as { activities?: Array<{ text?: string }> };
  if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${url}`);
  return (body.activities ?? []).map((a) => a.text ?? '').join('\n');
}

export interface LostUpdates {
  sent: number;
  expected: number;
  final: number;
  lost: number;
  /** Replies that reported a count another reply had already reported. */
  duplicates: number;
}

const countIn = (text: string): number => Number(/count=(\d+)/.exec(text)?.[1] ?? NaN);

/**
 * Like test/core/concurrency.test.ts: a first turn, 50 "count" turns at once to the same
 * conversation, then one more to read the counter. Every turn that counts adds one.
 */
export async function lostUpdates(url: string, conversation: string, first: string): Promise<LostUpdates> {
  const base = countIn(await turn(url, conversation, first));
  const before = Number.isNaN(base) ? 0 : base;
  const replies = await Promise.all(Array.from({ length: 50 }, () => turn(url, conversation, 'count')));
  const counts = replies.map(countIn);
  const final = countIn(await turn(url, conversation, 'count'));
  const expected = before + 51;
  return { sent: 50, expected, final, lost: expected - final, duplicates: counts.length - new Set(counts).size };
}

/** What a key holds, from its name under the prefix. */
function kindOf(rest: string): string {
  if (/^st:\{[^}]*\/users\//.test(rest)) return 'user state';
  if (/^st:\{[^}]*\/conversations\/[^}]*\}\/users\//.test(rest)) return 'private state';
  if (rest.startsWith('st:')) return 'conversation state';
  if (rest.startsWith('tx:')) return 'transcript';
  if (rest.startsWith('lock:')) return 'turn lock';
  return rest.split(/[:{]/)[0] || 'other';
}

export interface Footprint {
  keys: number;
  bytes: number;
  byKind: Record<string, { keys: number; bytes: number }>;
}

/** MEMORY USAGE (all samples) of every key matching prefix + pattern, grouped by kind. */
export async function footprint(redis: Redis, prefix: string, pattern = '*'): Promise<Footprint> {
  const out: Footprint = { keys: 0, bytes: 0, byKind: {} };
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}${pattern}`, 'COUNT', 1000);
    cursor = next;
    if (keys.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    const results = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const bytes = Number(results[i]?.[1] ?? 0);
      const kind = kindOf(key.slice(prefix.length));
      const slot = (out.byKind[kind] ??= { keys: 0, bytes: 0 });
      slot.keys++;
      slot.bytes += bytes;
      out.keys++;
      out.bytes += bytes;
    });
  } while (cursor !== '0');
  return out;
}

export async function deleteByPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
