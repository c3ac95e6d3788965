/**
 * What one conversation (one token) may cost: messages per window, uploaded bytes, open
 * WebSockets across processes and activities kept, each refused with a Direct Line error
 * (429 + Retry-After) while the conversation keeps working, and the list of activities kept is
 * capped (the oldest trimmed, watermarks unchanged for clients).
 * Also: the rate-limit address cannot be chosen by the client through X-Forwarded-For, and
 * a forged Host header never reaches the file links other readers see.
 */
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { activityId, clientAddress, loadDirectLineConfig } from '../../adapters/directline';
import { deleteByPrefix, testRedis } from '../helpers/redis';
import { cleanRedis, Conversation, DL_DB, SECRET, startDirectLine, type DirectLineHarness } from './support';

const redis = testRedis(DL_DB);
afterAll(() => redis.disconnect());

interface Started {
  conversationId: string;
  token: string;
  streamUrl: string;
}

/** A conversation started over plain HTTP with a token made with the secret (not subject to the anonymous limit). */
async function startConversation(h: DirectLineHarness): Promise<Started> {
  const gen = await fetch(`${h.app.baseUrl}/v3/directline/tokens/generate`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } });
  const { token } = (await gen.json()) as { token: string };
  const res = await fetch(`${h.app.baseUrl}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(201);
  const started = (await res.json()) as Started;
  await h.channel.idle();
  return started;
}

const post = (h: DirectLineHarness, s: Started, activity: Record<string, unknown>) =>
  fetch(`${h.app.baseUrl}/v3/directline/conversations/${s.conversationId}/activities`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ from: { id: 'x' }, ...activity }),
  });

/** A PNG of about `bytes` bytes (the signature makes it one). */
const png = (bytes: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(bytes - 8, 7)]);
const MB = 1024 * 1024;

/** The multipart body the official client sends, as bytes and its content type. */
async function multipart(files: Buffer[]): Promise<{ body: Buffer; type: string }> {
  const form = new FormData();
  form.append('activity', new Blob([JSON.stringify({ type: 'message', from: { id: 'x' } })], { type: 'application/vnd.microsoft.activity' }));
  files.forEach((f, i) => form.append('file', new Blob([new Uint8Array(f)], { type: 'image/png' }), `p${i}.png`));
  const res = new Response(form);
  return { body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type')! };
}

/** An upload over node:http, which (unlike fetch) lets the test send any Host header. */
async function upload(h: DirectLineHarness, s: Started, files: Buffer[], host?: string): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  const { body, type } = await multipart(files);
  const url = new URL(`${h.app.baseUrl}/v3/directline/conversations/${s.conversationId}/upload`);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${s.token}`, 'content-type': type, 'content-length': String(body.length), ...(host ? { host } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Bytes Redis holds under the harness's prefix. */
async function redisBytes(prefix: string): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) total += Number((await redis.memory('USAGE', key)) ?? 0);
  } while (cursor !== '0');
  return total;
}

describe('Direct Line per-conversation quotas', () => {
  let h: DirectLineHarness;
  beforeAll(async () => {
    h = await startDirectLine({
      env: { DIRECTLINE_MESSAGE_BURST: '5', DIRECTLINE_MESSAGES_PER_MINUTE: '1000', DIRECTLINE_UPLOAD_MB_PER_HOUR: '2.5', DIRECTLINE_UPLOAD_MB_PER_DAY: '100' },
    });
  });
  afterAll(async () => {
    await h.close();
    await cleanRedis(h.prefix);
  });

  it('a message flood is refused with 429 after the limit, and the conversation works once the window has passed', async () => {
    const s = await startConversation(h);
    const seenBefore = h.seen.length;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await post(h, s, { type: 'message', text: `flood ${i}` })).status);
    expect(statuses).toEqual([...Array(5).fill(200), ...Array(7).fill(429)]);

    const refused = await post(h, s, { type: 'message', text: 'one more' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ error: { code: 'too_many_requests', message: expect.stringMatching(/too many messages/) } });
    // Typing is neither stored nor sent to the bot, so it is not counted.
    expect((await post(h, s, { type: 'typing' })).status).toBe(200);

    // Only the accepted messages were stored and reached the bot.
    await h.channel.idle();
    expect(h.seen.slice(seenBefore).filter((a) => a.conversation?.id === s.conversationId && a.type === 'message').map((a) => a.text)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `flood ${i}`),
    );

    // The window ends (its Redis keys expire): the official client talks again.
    await deleteByPrefix(redis, `${h.prefix}dl:rl:msg:`);
    const c = new Conversation(h.app.baseUrl, { token: s.token, conversationId: s.conversationId, webSocket: true });
    try {
      expect((await c.say('مرحبا')).length).toBeGreaterThan(0);
    } finally {
      c.end();
    }
  });

  it('uploaded bytes past the hourly allowance are refused with 429 and not stored; a smaller file still fits', async () => {
    const s = await startConversation(h);
    expect((await upload(h, s, [png(MB)])).status).toBe(200);
    expect((await upload(h, s, [png(MB)])).status).toBe(200);
    // 0.5 MB left: a 1 MB upload is refused before its body is read ...
    const early = await upload(h, s, [png(MB)]);
    expect(early.status).toBe(429);
    expect(Number(early.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(early.body)).toMatchObject({ error: { code: 'upload_quota_exceeded' } });
    // ... one that passes that check but holds more than is left is refused once read, and counts nothing ...
    expect((await upload(h, s, [png(0.7 * MB)])).status).toBe(429);
    // ... so a file that fits is still accepted.
    expect((await upload(h, s, [png(0.4 * MB)])).status).toBe(200);
    const flood = await Promise.all(Array.from({ length: 10 }, () => upload(h, s, [png(MB), png(MB)])));
    expect(flood.map((r) => r.status)).toEqual(Array(10).fill(429));

    await h.channel.idle();
    // Redis holds the accepted 2.4 MB and little more (the whole harness prefix, other tests included).
    expect(await redisBytes(h.prefix)).toBeLessThan(3 * MB);
  });

  it('a forged Host header on an upload never reaches the links other readers see', async () => {
    const s = await startConversation(h);
    const res = await upload(h, s, [png(1000)], 'evil.example:666');
    expect(res.status).toBe(200);
    const { id } = JSON.parse(res.body) as { id: string };
    await h.channel.idle();

    const stored = await redis.lrange(`${h.prefix}dl:{${s.conversationId}}:acts`, 0, -1);
    expect(stored.join('\n')).not.toContain('evil.example');

    // A reader polling, and a reader on the WebSocket: links on their own origin, and they open.
    const page = (await (await fetch(`${h.app.baseUrl}/v3/directline/conversations/${s.conversationId}/activities`, { headers: { authorization: `Bearer ${s.token}` } })).json()) as {
      activities: Array<{ id: string; attachments?: Array<{ contentUrl: string }> }>;
    };
    const polled = page.activities.find((a) => a.id === id)!.attachments![0]!.contentUrl;
    expect(polled.startsWith(`${h.app.baseUrl}/v3/directline/conversations/${s.conversationId}/files/`)).toBe(true);
    expect((await fetch(polled)).status).toBe(200);

    const c = new Conversation(h.app.baseUrl, { token: s.token, conversationId: s.conversationId, webSocket: true });
    try {
      const echo = (await c.waitFor((a) => a.id === id)) as { attachments: Array<{ contentUrl: string }> };
      expect(echo.attachments[0]!.contentUrl).toBe(polled);
    } finally {
      c.end();
    }
  });
});

describe('Direct Line stored activities and X-Forwarded-For', () => {
  let h: DirectLineHarness;
  beforeAll(async () => {
    h = await startDirectLine({ env: { DIRECTLINE_MAX_ACTIVITIES: '10', DIRECTLINE_TRUSTED_PROXIES: '1', DIRECTLINE_ANONYMOUS_PER_MINUTE: '3', DIRECTLINE_MAX_SOCKETS: '1' } });
  });
  afterAll(async () => {
    await h.close();
    await cleanRedis(h.prefix);
  });

  it('a conversation keeps its newest DIRECTLINE_MAX_ACTIVITIES activities: the oldest are trimmed, watermarks and ids keep counting', async () => {
    const s = await startConversation(h);
    const conv = s.conversationId;
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await post(h, s, { type: 'message', text: `m${i}` });
      expect(res.status).toBe(200);
      ids.push(((await res.json()) as { id: string }).id);
      await h.channel.idle();
    }
    const page = async (watermark: number) => {
      const res = await fetch(`${h.app.baseUrl}/v3/directline/conversations/${conv}/activities?watermark=${watermark}`, { headers: { authorization: `Bearer ${s.token}` } });
      return (await res.json()) as { activities: Array<{ id: string; text?: string }>; watermark: string };
    };
    expect(await redis.llen(`${h.prefix}dl:{${conv}}:acts`)).toBe(10);
    const total = 10 + Number(await redis.get(`${h.prefix}dl:{${conv}}:trimmed`));
    expect(total).toBeGreaterThanOrEqual(17); // the welcome, 8 messages and a reply to each
    // From the start: the 10 kept, numbered where they stand among all activities ever posted.
    const all = await page(0);
    expect(all.watermark).toBe(String(total));
    expect(all.activities.map((a) => a.id)).toEqual(Array.from({ length: 10 }, (_, i) => activityId(conv, total - 10 + i)));
    // The id the last POST answered is the id the list gives it.
    expect(all.activities.find((a) => a.id === ids.at(-1))?.text).toBe('m7');
    // A client that had read up to three from the end gets exactly those three, then nothing new.
    const tail = await page(total - 3);
    expect(tail.activities.map((a) => a.id)).toEqual(all.activities.slice(-3).map((a) => a.id));
    expect(await page(total)).toMatchObject({ activities: [], watermark: String(total) });
    // Posting goes on (nothing is refused for size), the numbering with it.
    const next = await post(h, s, { type: 'message', text: 'again' });
    expect(((await next.json()) as { id: string }).id).toBe(activityId(conv, total));
    await h.channel.idle();

    // The bot's activities (a notification) never lengthen the life of a conversation the user left; the user's do.
    const key = (part: string) => `${h.prefix}dl:{${conv}}:${part}`;
    await redis.pexpire(key('meta'), 5000);
    await h.channel.store.append(conv, { type: 'message', text: 'notice', from: { id: 'musaed', name: 'Musaed', role: 'bot' } });
    for (const part of ['meta', 'acts', 'trimmed']) expect(await redis.pttl(key(part)), part).toBeLessThanOrEqual(5000);
    await post(h, s, { type: 'message', text: 'back' });
    await h.channel.idle();
    for (const part of ['meta', 'acts']) expect(await redis.pttl(key(part)), part).toBeGreaterThan(60_000);
  });

  it('a process holds at most DIRECTLINE_MAX_SOCKETS sockets, whatever the conversation', async () => {
    const [one, two] = [await startConversation(h), await startConversation(h)];
    const ws = new WebSocket(one.streamUrl);
    await new Promise((resolve) => ws.once('open', resolve));
    const status = await new Promise<number>((resolve) => {
      const other = new WebSocket(two.streamUrl);
      other.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      other.once('open', () => (other.close(), resolve(101)));
    });
    ws.close();
    expect(status).toBe(429);
  });

  it('a client-written first X-Forwarded-For hop does not change the rate-limit address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // The client sends a different made-up address each time; our proxy appends the real one.
      const res = await fetch(`${h.app.baseUrl}/v3/directline/tokens/generate`, { method: 'POST', headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.9` } });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    // Another real client behind the same proxy is counted on its own.
    expect((await fetch(`${h.app.baseUrl}/v3/directline/tokens/generate`, { method: 'POST', headers: { 'x-forwarded-for': '203.0.113.10' } })).status).toBe(200);
  });

  it('clientAddress takes the address as many hops from the right as there are trusted proxies', () => {
    const req = (xff: string | undefined) => ({ headers: xff === undefined ? {} : { 'x-forwarded-for': xff }, socket: { remoteAddress: '10.0.0.2' } }) as unknown as IncomingMessage;
    expect(clientAddress(req('6.6.6.6, 1.2.3.4'), 0)).toBe('10.0.0.2');
    expect(clientAddress(req('6.6.6.6, 1.2.3.4'), 1)).toBe('1.2.3.4');
    expect(clientAddress(req('6.6.6.6, 1.2.3.4, 10.0.0.1'), 2)).toBe('1.2.3.4');
    expect(clientAddress(req('1.2.3.4'), 2)).toBe('1.2.3.4');
    expect(clientAddress(req(undefined), 1)).toBe('10.0.0.2');
    expect(clientAddress(req(' , '), 1)).toBe('10.0.0.2');
  });

  it('DIRECTLINE_TRUSTED_PROXIES is validated; the old DIRECTLINE_TRUST_PROXY=true means one proxy', () => {
    expect(loadDirectLineConfig({}).trustedProxies).toBe(0);
    expect(loadDirectLineConfig({ DIRECTLINE_TRUST_PROXY: 'true' }).trustedProxies).toBe(1);
    expect(loadDirectLineConfig({ DIRECTLINE_TRUST_PROXY: 'true', DIRECTLINE_TRUSTED_PROXIES: '2' }).trustedProxies).toBe(2);
    expect(() => loadDirectLineConfig({ DIRECTLINE_TRUSTED_PROXIES: 'yes' })).toThrow(/DIRECTLINE_TRUSTED_PROXIES/);
    expect(loadDirectLineConfig({}).quotas).toMatchObject({ messagesPerMinute: 30, socketsPerConversation: 3, uploadBytesPerDay: 50 * MB });
  });
});

describe('Direct Line WebSockets per conversation, across processes', () => {
  let a: DirectLineHarness;
  let b: DirectLineHarness;
  beforeAll(async () => {
    const env = { DIRECTLINE_SOCKETS_PER_CONVERSATION: '2' };
    a = await startDirectLine({ env });
    b = await startDirectLine({ env, prefix: a.prefix });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await cleanRedis(a.prefix);
  });

  type Opened = { ws: WebSocket } | { status: number; retryAfter?: string; body: string };
  const open = (url: string): Promise<Opened> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve({ ws }));
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: Buffer.concat(chunks).toString('utf8') }));
      });
      ws.once('error', reject);
    });
  const on = (h: DirectLineHarness, streamUrl: string) => streamUrl.replace(/^ws:\/\/[^/]+/, h.app.baseUrl.replace(/^http/, 'ws'));

  it('the third socket is refused with 429 on either process, and a closed socket frees its slot', async () => {
    const s = await startConversation(a);
    // Slots of a killed process whose leases have run out take no place.
    await redis.zadd(`${a.prefix}dl:{${s.conversationId}}:sockets`, Date.now() - 1, 'killed:1', Date.now() - 1, 'killed:2');
    const first = await open(on(a, s.streamUrl));
    const second = await open(on(b, s.streamUrl));
    expect('ws' in first && 'ws' in second).toBe(true);

    for (const h of [a, b]) {
      const third = await open(on(h, s.streamUrl));
      expect(third).toMatchObject({ status: 429, retryAfter: expect.stringMatching(/^\d+$/) });
      expect(JSON.parse((third as { body: string }).body)).toMatchObject({ error: { code: 'too_many_sockets' } });
    }
    expect(a.channel.sockets() + b.channel.sockets()).toBe(2);

    (first as { ws: WebSocket }).ws.close();
    await expect.poll(() => redis.zcard(`${a.prefix}dl:{${s.conversationId}}:sockets`)).toBe(1);
    const again = await open(on(b, s.streamUrl));
    expect('ws' in again).toBe(true);

    for (const o of [second, again]) if ('ws' in o) o.ws.close();
    await expect.poll(() => redis.zcard(`${a.prefix}dl:{${s.conversationId}}:sockets`)).toBe(0);
  });
});

/** An upload whose body is sent only in part until `finish()`: it holds its place while the server reads. */
async function heldUpload(h: DirectLineHarness, s: Started): Promise<{ answered: Promise<{ status: number; retryAfter?: string; code?: string }>; finish(): void; abort(): void }> {
  const { body, type } = await multipart([png(64 * 1024)]);
  const url = new URL(`${h.app.baseUrl}/v3/directline/conversations/${s.conversationId}/upload`);
  let req!: ReturnType<typeof request>;
  const answered = new Promise<{ status: number; retryAfter?: string; code?: string }>((resolve, reject) => {
    req = request(url, { method: 'POST', headers: { authorization: `Bearer ${s.token}`, 'content-type': type, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = text.startsWith('{') ? (JSON.parse(text) as { error?: { code?: string } }).error?.code : undefined;
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, code });
      });
    });
    req.on('error', reject);
  });
  answered.catch(() => undefined);
  req.flushHeaders();
  req.write(body.subarray(0, 1024));
  return { answered, finish: () => req.end(body.subarray(1024)), abort: () => req.destroy() };
}

describe('Direct Line uploads read at once, across conversations', () => {
  let h: DirectLineHarness;
  beforeAll(async () => {
    h = await startDirectLine({ env: { DIRECTLINE_CONCURRENT_UPLOADS: '2' } });
  });
  afterAll(async () => {
    await h.close();
    await cleanRedis(h.prefix);
  });

  it('beyond DIRECTLINE_CONCURRENT_UPLOADS the others get 429 busy with Retry-After at once; a freed slot is used again', async () => {
    const conversations = await Promise.all(Array.from({ length: 6 }, () => startConversation(h)));
    const held = await Promise.all(conversations.map((s) => heldUpload(h, s)));
    // While every body is still incomplete, only the refused ones can be answered: wait for four answers.
    const answers: Array<{ i: number; status: number; retryAfter?: string; code?: string }> = [];
    const four = new Promise<void>((resolve) => {
      held.forEach((u, i) =>
        void u.answered.then((a) => {
          answers.push({ i, ...a });
          if (answers.length === 4) resolve();
        }),
      );
    });
    const deadline = new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 8000).unref());
    try {
      expect(await Promise.race([four.then(() => 'answered' as const), deadline])).toBe('answered');
    } finally {
      // Before the bound, no upload is refused and none answers while its body is held.
      for (const u of held) u.finish();
    }
    expect(answers.map((a) => [a.status, a.code, a.retryAfter])).toEqual(Array(4).fill([429, 'busy', '1']));
    const readers = held.filter((_, i) => !answers.some((a) => a.i === i));
    expect(readers).toHaveLength(2);
    expect((await Promise.all(readers.map((u) => u.answered))).map((a) => a.status)).toEqual([200, 200]);
    // The slots were given back: a refused conversation uploads now.
    expect((await upload(h, conversations[answers[0]!.i]!, [png(1024)])).status).toBe(200);
    await h.channel.idle();
  });

  it('DIRECTLINE_CONCURRENT_UPLOADS defaults to 4 and is validated', () => {
    expect(loadDirectLineConfig({}).concurrentUploads).toBe(4);
    expect(() => loadDirectLineConfig({ DIRECTLINE_CONCURRENT_UPLOADS: '0' })).toThrow(/DIRECTLINE_CONCURRENT_UPLOADS/);
  });
});

describe('Direct Line upload bodies that trickle in', () => {
  let h: DirectLineHarness;
  beforeAll(async () => {
    h = await startDirectLine({ env: { DIRECTLINE_CONCURRENT_UPLOADS: '1', DIRECTLINE_UPLOAD_READ_SECONDS: '1' } });
  });
  afterAll(async () => {
    await h.close();
    await cleanRedis(h.prefix);
  });

  it('a body not complete within DIRECTLINE_UPLOAD_READ_SECONDS gets 408 and frees its reading place', async () => {
    const [slow, other] = await Promise.all([startConversation(h), startConversation(h)]);
    const held = await heldUpload(h, slow!);
    // The only reading place is held by the slow body: it is refused, not waited on for ever.
    expect((await held.answered).status).toBe(408);
    held.abort();
    expect((await upload(h, other!, [png(1024)])).status).toBe(200);
    await h.channel.idle();
  });
});
