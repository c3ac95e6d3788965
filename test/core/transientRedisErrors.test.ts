/**
 * A Redis that says "not now" (a Cluster slot moving or down, a replica, a node loading, a
 * closed connection) while a conversation is mid-task: the user gets the polite "temporarily
 * unavailable" reply and the dialog stack survives, so the next message continues the same
 * prompt. Real app, real Redis; one state read or write of the conversation fails once with
 * the error ioredis would raise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis, ReplyError } from 'ioredis';
import { startApp } from '../helpers/app';
import { say, texts } from '../helpers/http';
import { ruleRecognizer } from '../helpers/ruleRecognizer';
import { CORE_DB, deleteByPrefix, uniquePrefix } from '../helpers/redis';
import { AskNameDialog, FIRST_PROMPT, SECOND_PROMPT } from '../fixtures/askNameDialog';
import { isUnavailableError } from '../../bot/adapter';
import type { App } from '../../bot/app';

type Method = 'hmget' | 'musaedStorageWrite';
type AnyMethod = (...args: unknown[]) => Promise<unknown>;

/** Makes the next `method` call on the state key of `conversation` ("…st:{emulator/conversations/<id>}/") fail once with `error`. */
function faultInjector(client: Redis) {
  let pending: { method: Method; conversation: string; error: Error } | undefined;
  const methods = client as unknown as Record<Method, AnyMethod>;
  for (const method of ['hmget', 'musaedStorageWrite'] as const) {
    const original = methods[method].bind(client);
    methods[method] = (...args: unknown[]) => {
      if (pending?.method === method && String(args[0]).includes(`/conversations/${pending.conversation}}`)) {
        const { error } = pending;
        pending = undefined;
        return Promise.reject(error);
      }
      return original(...args);
    };
  }
  return {
    arm: (method: Method, conversation: string, error: Error) => (pending = { method, conversation, error }),
    fired: () => pending === undefined,
  };
}

const replyError = (message: string): Error => new ReplyError(message) as Error;
const TRANSIENT: Array<[string, () => Error]> = [
  ['MOVED', () => replyError('MOVED 3999 127.0.0.1:6381')],
  ['ASK', () => replyError('ASK 3999 127.0.0.1:6381')],
  ['CLUSTERDOWN', () => replyError('CLUSTERDOWN The cluster is down')],
  ['TRYAGAIN', () => replyError('TRYAGAIN Multiple keys request during rehashing of slot')],
  ['LOADING', () => replyError('LOADING Redis is loading the dataset in memory')],
  ['READONLY', () => replyError("READONLY You can't write against a read only replica.")],
  ['MASTERDOWN', () => replyError("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")],
  ['NOREPLICAS', () => replyError('NOREPLICAS Not enough good replicas to write.')],
  ['connection closed', () => new Error('Connection is closed.')],
];

describe('transient Redis errors never clear a dialog', () => {
  const prefix = uniquePrefix('transient');
  let client: Redis;
  let app: App & { baseUrl: string };
  let faults: ReturnType<typeof faultInjector>;

  beforeAll(async () => {
    client = new Redis({ host: '127.0.0.1', port: 6379, db: CORE_DB, maxRetriesPerRequest: 1, lazyConnect: true });
    app = await startApp(
      { REDIS_KEY_PREFIX: prefix },
      { redis: client, recognizer: ruleRecognizer({ 'جدد اقامتي': 'iqama.renew' }), features: [(deps) => new AskNameDialog(deps.t)] },
    );
    faults = faultInjector(client); // after startApp: the storage defines musaedStorageWrite on the client
  });
  afterAll(async () => {
    await app?.close();
    await deleteByPrefix(client, prefix);
    client.disconnect();
  });

  const cases = TRANSIENT.flatMap(([name, error]) => [
    [name, 'read', 'hmget', error] as const,
    [name, 'write', 'musaedStorageWrite', error] as const,
  ]);

  it.each(cases)('%s on the state %s: "temporarily unavailable", then the same prompt continues', async (name, phase, method, error) => {
    const conversation = `tr-${name.replace(/\W+/g, '-')}-${phase}`;
    expect(texts(await say(app.baseUrl, conversation, 'هلا')).join()).toContain('مساعد');
    expect(texts(await say(app.baseUrl, conversation, 'جدد اقامتي')).join()).toContain(FIRST_PROMPT.ar);

    faults.arm(method, conversation, error());
    const failed = texts(await say(app.baseUrl, conversation, 'نورة')).join('\n');
    expect(faults.fired()).toBe(true);
    expect(failed).toContain('غير متاحة مؤقتاً');

    // The dialog is where it was before the failed turn: the name is asked for and taken again.
    expect(texts(await say(app.baseUrl, conversation, 'نورة')).join()).toContain(SECOND_PROMPT.ar);
    expect(texts(await say(app.baseUrl, conversation, 'الرياض')).join()).toContain('done: نورة/الرياض');
  });

  it('finds a transient error behind a wrapper, and leaves real bugs to the generic apology', () => {
    expect(isUnavailableError(new Error('Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN The cluster is down'))).toBe(true);
    expect(isUnavailableError(Object.assign(new Error('Failed to refresh slots cache.'), { name: 'ClusterAllFailedError' }))).toBe(true);
    expect(isUnavailableError(new Error('write failed', { cause: replyError('TRYAGAIN slot migrating') }))).toBe(true);
    // ioredis' AbortError when a failover (failoverDetector) drops the connection under an auto-pipelined batch.
    expect(isUnavailableError(Object.assign(new Error('Command aborted due to connection close'), { name: 'AbortError' }))).toBe(true);
    expect(isUnavailableError(replyError('ERR Error running script: @user_script:3: -READONLY You can\'t write against a read only replica.'))).toBe(true);
    expect(isUnavailableError(replyError('ERR wrong number of arguments for \'hset\' command'))).toBe(false);
    expect(isUnavailableError(new TypeError("Cannot read properties of undefined (reading 'ASK')"))).toBe(false);
    expect(isUnavailableError(new Error('the user asked: MOVED?'))).toBe(false);
  });
});
