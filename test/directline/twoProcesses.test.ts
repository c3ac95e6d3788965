/**
 * Accepted means answered: two real bot processes on one Redis (db 5), a Direct Line client
 * posting 20 conversations × 6 messages to both, and one process SIGKILLed mid-load (no
 * clean shutdown, its claims and turn locks left to expire). Every message that got a 200 is
 * answered by the survivor, exactly once, in order per conversation. The fixture answers each
 * message with one "echo: <text>", so answers can be counted exactly (by replyToId).
 */
import { presentText } from '../../dialogs/format/outgoing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startProcess, type Child } from '../helpers/processes';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { allActivities as activities, dlHeaders as auth, startConversation, type ListedActivity } from '../helpers/directLineHttp';
import { DL_DB, SECRET } from './support';

const CONVERSATIONS = 20;
const MESSAGES = 6;
/** A is killed once this many messages have been accepted (about a third of the load). */
const KILL_AFTER = 40;
const prefix = uniquePrefix('dl2p');

interface Posted {
  id: string;
  text: string;
}

let a: Child;
let b: Child;
let redis: Redis;

beforeAll(async () => {
  redis = testRedis(DL_DB);
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: `redis://127.0.0.1:6379/${DL_DB}`,
    REDIS_KEY_PREFIX: prefix,
    CONNECTOR_SECRET: 'dl-two-process-secret',
    DIRECTLINE_SECRET: SECRET,
    TURN_LOCK_TTL_MS: '2000',
    DIRECTLINE_INBOX_SWEEP_MS: '300',
    ECHO_DELAY_MS: '25',
  };
  [a, b] = await Promise.all([startProcess('test/directline/fixtures/server.ts', env), startProcess('test/directline/fixtures/server.ts', env)]);
}, 90_000);

afterAll(async () => {
  await Promise.all([a?.stop('SIGKILL'), b?.stop()]);
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

/** Ids the echo replies answer, in the order they were stored. */
const echoesOf = (list: ListedActivity[]) => list.filter((x) => x.from?.role === 'bot' && x.text?.startsWith('echo: ')).map((x) => x.replyToId ?? '');

describe('Direct Line across two processes', () => {
  it('answers every accepted message exactly once, in order, after one process is SIGKILLed under load', async () => {
    const convs = await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => startConversation(i % 2 ? b.url : a.url, SECRET)));
    const accepted = new Map<string, Posted[]>(convs.map((c) => [c.conv, []]));
    let total = 0;
    let killed = false;

    const send = async (url: string, conv: string, token: string, text: string): Promise<string | undefined> => {
      try {
        const res = await fetch(`${url}/v3/directline/conversations/${conv}/activities`, {
          method: 'POST',
          headers: auth(token),
          body: JSON.stringify({ type: 'message', text, from: { id: 'u' } }),
        });
        return res.status === 200 ? ((await res.json()) as { id: string }).id : undefined;
      } catch {
        return undefined; // the process is gone: not accepted
      }
    };
    // Each conversation posts its messages one after another, alternating processes; all conversations at once.
    await Promise.all(
      convs.map(async ({ conv, token }, i) => {
        for (let k = 0; k < MESSAGES; k++) {
          const target = (i + k) % 2 ? b : a;
          const text = `${i}-${k}`;
          const id = await send(target.url, conv, token, text);
          if (!id) continue;
          accepted.get(conv)!.push({ id, text });
          if (++total === KILL_AFTER && !killed) {
            killed = true;
            a.proc.kill('SIGKILL');
          }
        }
      }),
    );
    expect(killed).toBe(true);
    const acceptedCount = [...accepted.values()].reduce((n, list) => n + list.length, 0);
    expect(acceptedCount).toBeGreaterThan(KILL_AFTER);

    // Everything accepted is answered on the survivor, within a few lock leases.
    const deadline = Date.now() + 20_000;
    const lists = new Map<string, ListedActivity[]>();
    for (const { conv, token } of convs) {
      for (;;) {
        const list = await activities(b.url, conv, token);
        lists.set(conv, list);
        const answered = new Set(echoesOf(list));
        if (accepted.get(conv)!.every((m) => answered.has(m.id)) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    let unanswered = 0;
    for (const { conv } of convs) {
      const list = lists.get(conv)!;
      const echoes = echoesOf(list);
      const counts = new Map<string, number>();
      for (const id of echoes) counts.set(id, (counts.get(id) ?? 0) + 1);
      // Exactly once: no message, accepted or not, has two answers.
      expect([...counts.entries()].filter(([, n]) => n > 1), `duplicates in ${conv}`).toEqual([]);
      for (const m of accepted.get(conv)!) if (!counts.has(m.id)) unanswered++;
      // In order: answers come in the order the messages were stored.
      const userIds = list.filter((x) => x.from?.role === 'user' && x.type === 'message').map((x) => x.id);
      expect(echoes, `order in ${conv}`).toEqual(userIds.filter((id) => counts.has(id)));
      // Each answer is to its own message.
      for (const x of list.filter((y) => y.text?.startsWith('echo: '))) {
        // As shown: values such as "0-0" leave inside direction isolates (presentation middleware).
        expect(x.text).toBe(presentText(`echo: ${list.find((y) => y.id === x.replyToId)?.text}`));
      }
    }
    expect(unanswered, `${unanswered} of ${acceptedCount} accepted messages never answered`).toBe(0);
    // Nothing is left waiting.
    const left = await Promise.all(convs.map(({ conv }) => redis.llen(`${prefix}dl:{${conv}}:inbox`)));
    expect(left.reduce((n, x) => n + x, 0)).toBe(0);
  }, 60_000);
});
