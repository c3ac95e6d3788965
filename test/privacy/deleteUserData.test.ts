/**
 * Bot Framework's deleteUserData activity over POST /api/messages (real HTTP, real Redis, the
 * agent hub): after messages and a handoff request, the activity runs the same erasure as
 * «احذف بياناتي» and a scan of Redis finds no key or value naming the conversation or the user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handoffModule } from '../../adapters/handoff';
import { startApp } from '../helpers/app';
import { messageActivity, postActivity, say, texts } from '../helpers/http';
import { deleteByPrefix, dumpUnder, testRedis, uniquePrefix } from '../helpers/redis';
import type { App } from '../../bot/app';

const DB = 1;
const prefix = uniquePrefix('dud');
const redis = testRedis(DB);
let app: App & { baseUrl: string };

beforeAll(async () => {
  app = await startApp({ REDIS_URL: `redis://127.0.0.1:6379/${DB}`, REDIS_KEY_PREFIX: prefix, HANDOFF_SWEEP_MS: '3600000' }, { channels: [handoffModule()] });
});
afterAll(async () => {
  await app?.close();
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});


const dump = () => dumpUnder(redis, prefix);

describe('deleteUserData over /api/messages', () => {
  it('erases state, transcript and handoff records of the conversation and user', async () => {
    const conv = `dud-conv-${Date.now()}`;
    const userId = `dud-user-${Date.now()}`;
    const other = `dud-other-${Date.now()}`;
    await redis.zadd(`${prefix}ho:{hub}:online`, Date.now() + 600_000, 'agent-1');
    expect(texts(await say(app.baseUrl, conv, 'السلام عليكم', { userId })).join('\n')).toContain('مساعد');
    await say(app.baseUrl, conv, 'ابي اكلم موظف', { userId });
    expect(texts(await say(app.baseUrl, conv, 'مشكلة في الدفع', { userId })).join('\n')).toContain('ترتيبك في القائمة');
    // Another conversation, to show the erasure is of this user only.
    await say(app.baseUrl, other, 'السلام عليكم');

    const mentions = (stored: Array<[string, string]>) => stored.filter(([k, v]) => [conv, userId].some((x) => k.includes(x) || v.includes(x))).map(([k]) => k);
    const before = mentions(await dump());
    for (const kind of ['st:', 'tx:', '}:conv', 'ho:{hub}:queue']) expect(before.some((k) => k.includes(kind)), kind).toBe(true);

    const { status } = await postActivity(app.baseUrl, { ...messageActivity(conv, '', { userId }), type: 'deleteUserData', text: undefined });
    expect(status).toBe(200);
    await new Promise((r) => setTimeout(r, 100)); // the turn's lock release

    expect(mentions(await dump())).toEqual([]);
    expect((await dump()).some(([k]) => k.includes(other))).toBe(true);
  });
});
