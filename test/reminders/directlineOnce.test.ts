/**
 * Direct Line keeps a proactive message that names its delivery (channelData.deliveryKey) once:
 * a reminder sent again by another process after its sender died is not shown twice, and the
 * repeat is not announced to open sockets. Real Redis (DB 8).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DirectLineStore } from '../../adapters/directline/store';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';

const redis = testRedis(8);
const prefix = uniquePrefix('dlonce');

afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

describe('Direct Line appendOnce', () => {
  it('stores one activity per delivery key and returns the first one\'s id for a repeat', async () => {
    const store = new DirectLineStore(redis, prefix, 60_000);
    const published: unknown[] = [];
    store.publish = async (_conv, event) => void published.push(event);
    const activity = { type: 'message', text: 'تذكير: تنتهي إقامة منى بعد 20 يومًا' };
    const first = await store.appendOnce('c1', activity, 'rem-0123456789abcdef');
    const again = await store.appendOnce('c1', activity, 'rem-0123456789abcdef');
    const other = await store.appendOnce('c1', activity, 'rem-fedcba9876543210');
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
    expect(await store.count('c1')).toBe(2);
    expect(published).toEqual([{ watermark: 1 }, { watermark: 2 }]);
  });

  it('remembers the keys of the activities still in the list, not of every activity ever sent', async () => {
    const cap = 10;
    const store = new DirectLineStore(redis, prefix, 60_000, 2000, cap);
    store.publish = async () => undefined;
    const ids: string[] = [];
    for (let i = 0; i < 3 * cap; i++) ids.push((await store.appendOnce('c2', { type: 'message', text: `r${i}` }, `dls-key-${i}`)).id);
    const kept = await redis.hkeys(`${prefix}dl:{c2}:dk`);
    expect(kept.length).toBeLessThanOrEqual(cap);
    // The newest ones are still stored once.
    expect((await store.appendOnce('c2', { type: 'message', text: 'again' }, `dls-key-${3 * cap - 1}`)).id).toBe(ids.at(-1));
    expect(await store.count('c2')).toBe(cap);
  });
});
