/**
 * `node --import tsx bench/dlKill.ts`: accepted vs answered when one of two bot processes is
 * SIGKILLed under Direct Line load, and how long its conversations take to resume.
 * Two processes (the Direct Line test fixture: the real app plus one "echo: <text>" per
 * message) on real Redis; N conversations each post M messages one after another, alternating
 * processes; process A is killed once a third of the messages are accepted.
 *
 *   KILL_CONVERSATIONS (default 40), KILL_MESSAGES (8), KILL_WAIT_SECONDS (45): how long to wait for answers
 *   TURN_LOCK_TTL_MS   passed to both processes (default: the product's default)
 *   BENCH_REDIS_URL    default redis://127.0.0.1:6379/6 (keys under bench:dlkill:<run>:, removed after)
 *
 * Prints one JSON line: accepted, answered, unanswered, duplicates, out-of-order conversations,
 * and resume times (from the kill to the first answer after it, per conversation that was
 * waiting then: median and max).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startTarget, type Target } from './lib/processes';
import { deleteByPrefix } from './lib/probes';

const CONVERSATIONS = Number(process.env.KILL_CONVERSATIONS ?? 40);
const MESSAGES = Number(process.env.KILL_MESSAGES ?? 8);
const WAIT_MS = Number(process.env.KILL_WAIT_SECONDS ?? 45) * 1000;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/6';
const SECRET = 'bench-directline-secret-0123456789abcdefghijklmnop';
const PREFIX = `bench:dlkill:${randomBytes(3).toString('hex')}:`;

interface Listed {
  id: string;
  type: string;
  text?: string;
  replyToId?: string;
  timestamp?: string;
  from?: { role?: string };
}

const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function list(url: string, conv: string, token: string): Promise<Listed[]> {
  const all: Listed[] = [];
  let watermark = 0;
  for (;;) {
    const res = await fetch(`${url}/v3/directline/conversations/${conv}/activities?watermark=${watermark}`, { headers: auth(token) });
    const page = (await res.json()) as { activities: Listed[]; watermark: string };
    all.push(...page.activities);
    if (page.activities.length === 0 || Number(page.watermark) === watermark) return all;
    watermark = Number(page.watermark);
  }
}

const echoes = (activities: Listed[]) => activities.filter((x) => x.from?.role === 'bot' && x.text?.startsWith('echo: '));

async function main(): Promise<void> {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL,
    REDIS_KEY_PREFIX: PREFIX,
    CONNECTOR_SECRET: 'bench-dlkill-secret',
    DIRECTLINE_SECRET: SECRET,
    DIRECTLINE_INBOX_MAX: String(MESSAGES + 2),
    ECHO_DELAY_MS: '25',
    ...(process.env.TURN_LOCK_TTL_MS ? { TURN_LOCK_TTL_MS: process.env.TURN_LOCK_TTL_MS } : {}),
  };
  const children: Target[] = [];
  const [a, b] = await Promise.all([startTarget('a', 'test/directline/fixtures/server.ts', env), startTarget('b', 'test/directline/fixtures/server.ts', env)]);
  children.push(a, b);
  const redis = new Redis(REDIS_URL);
  try {
    const convs = await Promise.all(
      Array.from({ length: CONVERSATIONS }, async (_, i) => {
        const res = await fetch(`${(i % 2 ? b : a).url}/v3/directline/conversations`, { method: 'POST', headers: auth(SECRET), body: '{}' });
        const body = (await res.json()) as { conversationId: string; token: string };
        return { conv: body.conversationId, token: body.token };
      }),
    );
    const accepted = new Map<string, string[]>(convs.map((c) => [c.conv, []]));
    const killAfter = Math.floor((CONVERSATIONS * MESSAGES) / 3);
    let total = 0;
    let killedAt = 0;
    await Promise.all(
      convs.map(async ({ conv, token }, i) => {
        for (let k = 0; k < MESSAGES; k++) {
          const target = (i + k) % 2 ? b : a;
          try {
            const res = await fetch(`${target.url}/v3/directline/conversations/${conv}/activities`, {
              method: 'POST',
              headers: auth(token),
              body: JSON.stringify({ type: 'message', text: `${i}-${k}` }),
            });
            if (res.status !== 200) continue;
            accepted.get(conv)!.push(((await res.json()) as { id: string }).id);
            if (++total === killAfter) {
              killedAt = Date.now();
              a.proc.kill('SIGKILL');
            }
          } catch {
            // refused: A is gone
          }
        }
      }),
    );

    const acceptedCount = [...accepted.values()].reduce((n, x) => n + x.length, 0);
    const deadline = Date.now() + WAIT_MS;
    const lists = new Map<string, Listed[]>();
    for (;;) {
      for (const { conv, token } of convs) lists.set(conv, await list(b.url, conv, token));
      const missing = convs.some(({ conv }) => {
        const answered = new Set(echoes(lists.get(conv)!).map((x) => x.replyToId));
        return accepted.get(conv)!.some((id) => !answered.has(id));
      });
      if (!missing || Date.now() > deadline) break;
      await sleep(500);
    }

    let answered = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    const resume: number[] = [];
    for (const { conv } of convs) {
      const activities = lists.get(conv)!;
      const replies = echoes(activities);
      const counts = new Map<string, number>();
      for (const x of replies) counts.set(x.replyToId ?? '', (counts.get(x.replyToId ?? '') ?? 0) + 1);
      for (const id of accepted.get(conv)!) if (counts.has(id)) answered++;
      for (const n of counts.values()) if (n > 1) duplicates += n - 1;
      const order = activities.filter((x) => x.from?.role === 'user' && counts.has(x.id)).map((x) => x.id);
      if (JSON.stringify(order) !== JSON.stringify(replies.map((x) => x.replyToId))) outOfOrder++;
      // A conversation waiting at the kill: its first answer after the kill, to an accepted message posted before it.
      const after = replies.map((x) => Date.parse(x.timestamp ?? '')).filter((t) => t > killedAt);
      const waitingAtKill = activities.some((x) => x.from?.role === 'user' && Date.parse(x.timestamp ?? '') <= killedAt && accepted.get(conv)!.includes(x.id) && !replies.some((r) => r.replyToId === x.id && Date.parse(r.timestamp ?? '') <= killedAt));
      if (waitingAtKill && after.length > 0) resume.push(Math.min(...after) - killedAt);
    }
    resume.sort((x, y) => x - y);
    const result = {
      conversations: CONVERSATIONS,
      messagesPerConversation: MESSAGES,
      lockTtlMs: process.env.TURN_LOCK_TTL_MS ?? 'default',
      accepted: acceptedCount,
      answered,
      unanswered: acceptedCount - answered,
      duplicates,
      outOfOrderConversations: outOfOrder,
      waitingAtKill: resume.length,
      resumeMedianMs: resume[Math.floor(resume.length / 2)] ?? null,
      resumeMaxMs: resume.at(-1) ?? null,
      resumedAfter2s: resume.filter((x) => x > 2000).length,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await deleteByPrefix(redis, PREFIX).catch(() => undefined);
    redis.disconnect();
  }
}

await main();
