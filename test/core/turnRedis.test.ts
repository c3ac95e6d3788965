/**
 * What one turn asks of Redis, watched with MONITOR on a real Redis: the lock first, the
 * state reads together, one state write, the transcript as one command sent ahead of the
 * lock release, and nothing after the release. The transcript is there by the time the
 * HTTP reply arrives, so an accepted message is never lost to the deferred write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startApp, REDIS_TEST_URL } from '../helpers/app';
import { say } from '../helpers/http';
import { CORE_DB, deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import type { App } from '../../bot/app';

describe('Redis traffic of one turn', () => {
  const prefix = uniquePrefix('turnRedis');
  let app: App & { baseUrl: string };
  let redis: Redis;
  let monitor: Redis;
  let seen: string[][] = [];

  beforeAll(async () => {
    redis = testRedis();
    app = await startApp({ REDIS_URL: `${REDIS_TEST_URL}/${CORE_DB}`, REDIS_KEY_PREFIX: prefix });
    monitor = await testRedis().monitor();
    monitor.on('monitor', (_time: string, args: string[]) => {
      // Only commands sent by clients on this suite's keys (Lua's inner calls repeat them).
      if (args.some((a) => String(a).startsWith(prefix))) seen.push(args.map(String));
    });
  });
  afterAll(async () => {
    monitor.disconnect();
    await app.close();
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  async function turnCommands(conversation: string, text: string): Promise<string[][]> {
    seen = [];
    await say(app.baseUrl, conversation, text);
    // MONITOR lines trail the replies by a moment.
    await new Promise((r) => setTimeout(r, 100));
    return seen;
  }

  it('sends lock, reads, state write, transcript and release, in that order, and nothing else', async () => {
    await turnCommands('rt-1', 'مرحبا');
    const commands = await turnCommands('rt-1', 'القائمة');
    const fromClients = commands.filter((c) => !/^[A-Z]+$/.test(c[0])); // Lua's calls are upper case in MONITOR
    const names = fromClients.map((c) => c[0].toLowerCase());
    expect(names[0]).toBe('set');
    expect(fromClients[0]).toContain('NX');
    expect(names.slice(1, 3).sort()).toEqual(['hmget', 'hmget']);
    const scripts = fromClients.filter((c) => c[0].toLowerCase() === 'evalsha').map((c) => c[3]);
    expect(names.slice(3)).toEqual(['evalsha', 'evalsha', 'evalsha']);
    expect(scripts[0]).toContain(':st:{');
    expect(scripts[1]).toContain(':tx:{');
    expect(scripts[2]).toContain(':lock:{');
    // No MULTI/EXEC and no pipeline of single commands: 6 commands in all.
    expect(fromClients).toHaveLength(6);
  });

  it('has the transcript in Redis when the reply arrives, trimmed and with a lifetime', async () => {
    await say(app.baseUrl, 'rt-2', 'السلام عليكم');
    const key = app.transcripts.key('emulator/conversations/rt-2');
    const rows = await redis.lrange(key, 0, -1);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(rows[0])).toMatchObject({ role: 'user', text: 'السلام عليكم' });
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    // The next turn can take the lock at once: it was released, not left to expire.
    expect(await redis.exists(`${prefix}lock:{emulator/conversations/rt-2}`)).toBe(0);
  });
});
