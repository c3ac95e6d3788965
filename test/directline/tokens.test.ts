/**
 * Tokens over real HTTP: forged, expired, for another conversation, for an unknown one,
 * refresh, the secret, anonymous access and its rate limit, the stream token, and the
 * WebSocket handshake refusing what the REST routes refuse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { TokenSigner } from '../../adapters/directline';
import { cleanRedis, SECRET, startDirectLine, type DirectLineHarness } from './support';

interface Started {
  conversationId: string;
  token: string;
  expires_in: number;
  streamUrl: string;
}

function claimsOf(token: string): { conv: string; user: string; exp: number; scope: string } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { conv: string; user: string; exp: number; scope: string };
}

/** The status a WebSocket handshake gets (101 when accepted). */
function handshake(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => resolve(0));
  });
}

describe('Direct Line tokens', () => {
  let now = Date.now();
  let h: DirectLineHarness;
  let base: string;
  const call = (path: string, token: string | undefined, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) } });
  const start = async (): Promise<Started> => {
    const { token } = await h.token();
    const res = await call('/v3/directline/conversations', token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: {}, locale: 'ar-SA' }) });
    expect(res.status).toBe(201);
    return (await res.json()) as Started;
  };

  beforeAll(async () => {
    h = await startDirectLine({ clock: () => now, env: { DIRECTLINE_ANONYMOUS_PER_MINUTE: '1000' } });
    base = h.app.baseUrl;
  });
  afterAll(async () => {
    await h.close();
    await cleanRedis(h.prefix);
  });

  it('an anonymous token binds one new conversation and a user id the caller did not choose', async () => {
    const res = await call('/v3/directline/tokens/generate', undefined, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: { id: 'dl_someone_else' } }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { conversationId: string; token: string; expires_in: number };
    expect(body.expires_in).toBe(1800);
    const claims = claimsOf(body.token);
    expect(claims.conv).toBe(body.conversationId);
    expect(claims.user).toMatch(/^dl_/);
    expect(claims.user).not.toBe('dl_someone_else');
  });

  it('a conversation can be read with its own token, and a second start resumes it', async () => {
    const s = await start();
    expect(s.streamUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/v3/directline/conversations/${s.conversationId}/stream\\?t=`));
    expect(s.streamUrl).not.toContain(s.token);
    const read = await call(`/v3/directline/conversations/${s.conversationId}/activities`, s.token);
    expect(read.status).toBe(200);
    const again = await call('/v3/directline/conversations', s.token, { method: 'POST' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as Started).conversationId).toBe(s.conversationId);
    await h.channel.idle();
    expect(h.seen.filter((a) => a.type === 'conversationUpdate' && a.conversation?.id === s.conversationId)).toHaveLength(1);
  });

  it('a forged token is refused with 403', async () => {
    const s = await start();
    const [head, payload, sig] = s.token.split('.') as [string, string, string];
    const other = Buffer.from(JSON.stringify({ ...claimsOf(s.token), conv: 'AAAAAAAAAAAAAAAAAAAAAAAA' })).toString('base64url');
    const flipped = sig.slice(0, -2) + (sig.endsWith('AA') ? 'BB' : 'AA');
    const wrongKey = new TokenSigner('another-secret-another-secret-another-secret').sign({ conv: s.conversationId, user: 'dl_x', ttlSeconds: 600 });
    for (const forged of [`${head}.${other}.${sig}`, `${head}.${payload}.${flipped}`, wrongKey, 'not-a-token', `${head}.${payload}`]) {
      const res = await call(`/v3/directline/conversations/${s.conversationId}/activities`, forged);
      expect(res.status, forged).toBe(403);
    }
  });

  it('an expired token is refused with 403; refresh extends the expiry before that', async () => {
    const s = await start();
    const exp = claimsOf(s.token).exp;
    now += 10 * 60_000;
    const refreshed = await call('/v3/directline/tokens/refresh', s.token, { method: 'POST' });
    expect(refreshed.status).toBe(200);
    const r = (await refreshed.json()) as { token: string; conversationId: string; expires_in: number };
    expect(r.conversationId).toBe(s.conversationId);
    expect(claimsOf(r.token).exp - exp).toBe(600);
    expect(claimsOf(r.token).user).toBe(claimsOf(s.token).user);

    now += 25 * 60_000; // 35 minutes after the first token, 25 after the refresh
    expect((await call(`/v3/directline/conversations/${s.conversationId}/activities`, s.token)).status).toBe(403);
    expect((await call('/v3/directline/tokens/refresh', s.token, { method: 'POST' })).status).toBe(403);
    expect((await call(`/v3/directline/conversations/${s.conversationId}/activities`, r.token)).status).toBe(200);
    now += 10 * 60_000;
    const late = await call(`/v3/directline/conversations/${s.conversationId}/activities`, r.token);
    expect(late.status).toBe(403);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe('token_expired');
    now = Date.now();
  });

  it('a token for another conversation is refused with 403, on every route', async () => {
    const a = await start();
    const b = await start();
    const paths: Array<[string, RequestInit]> = [
      [`/v3/directline/conversations/${b.conversationId}`, {}],
      [`/v3/directline/conversations/${b.conversationId}/activities`, {}],
      [`/v3/directline/conversations/${b.conversationId}/activities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"message","text":"hi"}' }],
      [`/v3/directline/conversations/${b.conversationId}/upload`, { method: 'POST', body: new FormData() }],
    ];
    for (const [path, init] of paths) expect((await call(path, a.token, init)).status, path).toBe(403);
    // The stream token of A does not open B's stream either.
    const t = new URL(a.streamUrl).searchParams.get('t')!;
    expect(await handshake(`${base.replace('http', 'ws')}/v3/directline/conversations/${b.conversationId}/stream?t=${t}`)).toBe(403);
  });

  it('an unknown conversation is 404 (a token that was never used to start, or the secret on any id)', async () => {
    const { token, conversationId } = await h.token();
    expect((await call(`/v3/directline/conversations/${conversationId}/activities`, token)).status).toBe(404);
    expect((await call(`/v3/directline/conversations/${conversationId}`, token)).status).toBe(404);
    expect((await call('/v3/directline/conversations/NoSuchConversation00/activities', SECRET)).status).toBe(404);
    const stream = new TokenSigner(SECRET).sign({ conv: conversationId, user: 'dl_x', scope: 'stream', ttlSeconds: 60 });
    expect(await handshake(`${base.replace('http', 'ws')}/v3/directline/conversations/${conversationId}/stream?t=${stream}`)).toBe(404);
  });

  it('the stream token opens only the stream, and the REST token does not go in a URL', async () => {
    const s = await start();
    const t = new URL(s.streamUrl).searchParams.get('t')!;
    expect((await call(`/v3/directline/conversations/${s.conversationId}/activities`, t)).status).toBe(403);
    expect(await handshake(s.streamUrl)).toBe(101);
    expect(await handshake(s.streamUrl.replace(/t=[^&]+/, `t=${s.token}`))).toBe(403);
    expect(await handshake(s.streamUrl.replace(/t=[^&]+/, 't=forged'))).toBe(403);
    now += 6 * 60_000; // stream tokens live five minutes
    expect(await handshake(s.streamUrl)).toBe(403);
    now = Date.now();
    // Reconnect gives a fresh streamUrl from the watermark asked for.
    const re = await call(`/v3/directline/conversations/${s.conversationId}?watermark=1`, s.token);
    const body = (await re.json()) as Started;
    expect(body.streamUrl).toContain('&watermark=1');
    expect(await handshake(body.streamUrl)).toBe(101);
  });

  it('the channel secret generates tokens for a user it names; a wrong secret or a token cannot', async () => {
    const res = await call('/v3/directline/tokens/generate', SECRET, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: { id: 'dl_known_user' } }) });
    expect(res.status).toBe(200);
    expect(claimsOf(((await res.json()) as { token: string }).token).user).toBe('dl_known_user');
    expect((await call('/v3/directline/tokens/generate', 'x'.repeat(SECRET.length), { method: 'POST' })).status).toBe(403);
    const s = await start();
    expect((await call('/v3/directline/tokens/generate', s.token, { method: 'POST' })).status).toBe(403);
    const bad = await call('/v3/directline/tokens/generate', SECRET, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: { id: 'a b<c>' } }) });
    expect(bad.status).toBe(400);
    // The secret itself starts conversations (server-side callers), with a token in the answer.
    const started = await call('/v3/directline/conversations', SECRET, { method: 'POST' });
    expect(started.status).toBe(201);
    const body = (await started.json()) as Started;
    expect(claimsOf(body.token).conv).toBe(body.conversationId);
  });

  it('missing credentials are 401', async () => {
    const s = await start();
    expect((await call(`/v3/directline/conversations/${s.conversationId}/activities`, undefined)).status).toBe(401);
    expect((await call('/v3/directline/tokens/refresh', undefined, { method: 'POST' })).status).toBe(401);
  });
});

describe('Direct Line anonymous tokens', () => {
  it('are rate-limited per address, and refused when not allowed', async () => {
    const limited = await startDirectLine({ env: { DIRECTLINE_ANONYMOUS_PER_MINUTE: '3' } });
    const closed = await startDirectLine({ env: { DIRECTLINE_ALLOW_ANONYMOUS: 'false' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${limited.app.baseUrl}/v3/directline/tokens/generate`, { method: 'POST' })).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const last = await fetch(`${limited.app.baseUrl}/v3/directline/tokens/generate`, { method: 'POST' });
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
      // The secret is not limited.
      const withSecret = await fetch(`${limited.app.baseUrl}/v3/directline/tokens/generate`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } });
      expect(withSecret.status).toBe(200);

      expect((await fetch(`${closed.app.baseUrl}/v3/directline/tokens/generate`, { method: 'POST' })).status).toBe(401);
      const ok = await fetch(`${closed.app.baseUrl}/v3/directline/tokens/generate`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } });
      expect(ok.status).toBe(200);
    } finally {
      await limited.close();
      await closed.close();
      await cleanRedis(limited.prefix);
      await cleanRedis(closed.prefix);
    }
  });
});
