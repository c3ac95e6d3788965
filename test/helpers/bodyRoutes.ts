/**
 * Every route of the product that reads a request body, against the real product in a child
 * process (so a crash is a dead process, not a failed assertion inside this one), with a raw
 * HTTP/1.1 sender that can say anything a client can: any header, lying Content-Length,
 * chunked bodies, a request cut off half way. Used by test/core/hostileBodies.test.ts,
 * test/core/bodyFuzz.test.ts and bench/fuzz.ts.
 */
import { createHmac } from 'node:crypto';
import http, { type Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startProcess, type Child } from './processes';

export const CONNECTOR_SECRET = 'body-routes-connector-secret-0123456789';
import { WEBHOOK_MAX_BYTES } from '../../adapters/whatsapp';
export const WA_APP_SECRET = 'body-routes-whatsapp-app-secret';
export const WA_PHONE_ID = '1234567890';
export const MAX_BODY_BYTES = 256 * 1024;

/** A stand-in for everything the product calls out to (Graph API, a channel's serviceUrl): 200 to all. */
export async function startSink(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'sink-1', messages: [{ id: 'wamid.sink' }], url: 'http://127.0.0.1:9/none', mime_type: 'image/png' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface Product {
  child: Child;
  port: number;
  base: string;
  sink: { url: string; close: () => Promise<void> };
  stop(): Promise<void>;
}

/** `node --import tsx bot/main.ts` with in-memory state, WhatsApp on, the loopback secret known. */
export async function startProduct(): Promise<Product> {
  const sink = await startSink();
  const child = await startProcess(
    'bot/main.ts',
    {
      NODE_ENV: 'development',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: '',
      SERVICES_API_URL: '',
      MicrosoftAppId: '',
      MicrosoftAppPassword: '',
      CONNECTOR_SECRET,
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      WHATSAPP_VERIFY_TOKEN: 'body-routes-verify',
      WHATSAPP_APP_SECRET: WA_APP_SECRET,
      WHATSAPP_ACCESS_TOKEN: 'body-routes-access-token',
      WHATSAPP_PHONE_NUMBER_ID: WA_PHONE_ID,
      WHATSAPP_GRAPH_URL: sink.url,
      WHATSAPP_SEND_ATTEMPTS: '1',
      DIRECTLINE_ANONYMOUS_PER_MINUTE: '10000',
    },
    /"url":"(http:\/\/localhost:\d+)"/,
  );
  const port = Number(new URL(child.url).port);
  return {
    child,
    port,
    base: `http://127.0.0.1:${port}`,
    sink,
    async stop() {
      await child.stop('SIGKILL');
      await sink.close();
    },
  };
}

// ---- raw HTTP/1.1 ----------------------------------------------------------------------

export interface RawRequest {
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: Buffer;
  /** How the body is framed: its true length (default), chunked, or a Content-Length that lies. */
  framing?: { kind: 'length' } | { kind: 'chunked'; chunk: number } | { kind: 'lie'; length: string };
  /** Send only this many body bytes, then cut the connection (an aborted upload). */
  abortAfter?: number;
}

/** The status line's code, 'closed' when the server hung up without one, 'aborted' when we did. */
export type Outcome = number | 'closed' | 'aborted' | 'timeout';

function chunked(body: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const piece = body.subarray(i, i + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** One request on its own connection; resolves with the response's status code. */
export function sendRaw(port: number, r: RawRequest, timeoutMs = 15_000): Promise<Outcome> {
  const framing = r.framing ?? { kind: 'length' };
  const lines = [`${r.method} ${r.path} HTTP/1.1`, `host: 127.0.0.1:${port}`, 'connection: close'];
  for (const [k, v] of r.headers) lines.push(`${k}: ${v}`);
  let payload = r.body;
  if (framing.kind === 'chunked') {
    lines.push('transfer-encoding: chunked');
    payload = chunked(r.body, Math.max(1, framing.chunk));
  } else if (framing.kind === 'lie') lines.push(`content-length: ${framing.length}`);
  else lines.push(`content-length: ${r.body.length}`);
  const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');

  return new Promise((resolve) => {
    let settled = false;
    let got = '';
    const socket = net.connect(port, '127.0.0.1');
    const done = (o: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.on('error', () => done('closed'));
    socket.on('close', () => done('closed'));
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      if (m) done(Number(m[1]));
      else if (got.length > 64) done('closed');
    });
    socket.on('connect', () => {
      if (r.abortAfter !== undefined) {
        socket.write(Buffer.concat([head, payload.subarray(0, r.abortAfter)]), () => setTimeout(() => done('aborted'), 5));
        return;
      }
      socket.write(Buffer.concat([head, payload]));
      // A Content-Length larger than the body: the server would wait; end our side so it stops waiting.
      if (framing.kind === 'lie' && Number(framing.length) > payload.length) socket.end();
    });
  });
}

/** GET /healthz through the same raw path: 200 while the process lives. */
export function health(port: number): Promise<Outcome> {
  return sendRaw(port, { method: 'GET', path: '/healthz', headers: [], body: Buffer.alloc(0) }, 5000);
}

// ---- the routes ------------------------------------------------------------------------

export interface BodyRoute {
  name: string;
  method: 'POST';
  path: string;
  /** Headers for a caller the route accepts (a signed-in agent, a Direct Line token, the loopback secret); none for open routes. */
  auth?: Array<[string, string]>;
  /** WhatsApp: the signature is over the exact bytes sent, so it is computed per body. */
  sign?: (body: Buffer) => Array<[string, string]>;
  /** Valid bodies the fuzzer mutates. */
  seeds: unknown[];
  /** The route's own body limit, when it is not MAX_BODY_BYTES (Meta sends webhooks up to 3 MB). */
  maxBytes?: number;
}

export const limitOf = (route: BodyRoute): number => route.maxBytes ?? MAX_BODY_BYTES;

async function postJson(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Signs in the demo agent and opens a Direct Line conversation, then lists every body-reading route. */
export async function bodyRoutes(product: Product): Promise<BodyRoute[]> {
  const { base, sink } = product;
  const login = await postJson(base, '/api/agent/login', { username: 'agent', password: 'agent123' });
  if (login.status !== 200) throw new Error(`agent login answered ${login.status}`);
  const agentToken = (login.json as { token: string }).token;
  const dl = await fetch(`${base}/v3/directline/tokens/generate`, { method: 'POST' });
  if (dl.status !== 200) throw new Error(`Direct Line token answered ${dl.status}`);
  const { token: dlToken, conversationId } = (await dl.json()) as { token: string; conversationId: string };
  const started = await postJson(base, '/v3/directline/conversations', undefined, { authorization: `Bearer ${dlToken}` });
  if (started.status >= 300) throw new Error(`Direct Line conversation answered ${started.status}`);
  const conv = encodeURIComponent(conversationId);

  const activity = {
    type: 'message',
    id: 'fz-1',
    timestamp: '2026-01-01T00:00:00Z',
    channelId: 'emulator',
    serviceUrl: `${sink.url}/`,
    deliveryMode: 'expectReplies',
    from: { id: 'fuzz-user', name: 'fuzz', role: 'user' },
    recipient: { id: 'bot', name: 'bot', role: 'bot' },
    conversation: { id: 'fuzz-conv' },
    locale: 'ar-SA',
    text: 'السلام عليكم',
  };
  const waMessage = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'waba',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '966500000000', phone_number_id: WA_PHONE_ID },
              contacts: [{ profile: { name: 'Fuzz' }, wa_id: '966511111111' }],
              messages: [{ from: '966511111111', id: 'wamid.fuzz1', timestamp: '1767225600', type: 'text', text: { body: 'hello' } }],
            },
          },
        ],
      },
    ],
  };
  return [
    { name: 'POST /api/messages', method: 'POST', path: '/api/messages', seeds: [activity, { ...activity, type: 'conversationUpdate', text: undefined, membersAdded: [{ id: 'fuzz-user' }] }] },
    { name: 'POST /api/agent/login', method: 'POST', path: '/api/agent/login', seeds: [{ username: 'agent', password: 'wrong-password' }, { username: 'nobody', password: 'x' }] },
    {
      name: 'POST /api/agent/conversations/:id/messages',
      method: 'POST',
      path: '/api/agent/conversations/ZnV6ei1jb252/messages',
      auth: [['authorization', `Bearer ${agentToken}`]],
      seeds: [{ text: 'مرحبا' }, { text: '', attachments: [{ contentType: 'image/png', contentUrl: 'https://example.org/a.png', name: 'a.png' }] }],
    },
    {
      name: 'POST /v3/directline/conversations/:id/activities',
      method: 'POST',
      path: `/v3/directline/conversations/${conv}/activities`,
      auth: [['authorization', `Bearer ${dlToken}`]],
      seeds: [{ type: 'message', from: { id: 'dl_fuzz' }, text: 'hello', locale: 'en-US' }, { type: 'message', from: { id: 'dl_fuzz' }, text: 'تجديد إقامة' }],
    },
    {
      name: 'POST /connector/directline/…/activities',
      method: 'POST',
      path: `/connector/directline/v3/conversations/${conv}/activities`,
      auth: [['x-musaed-connector', CONNECTOR_SECRET]],
      seeds: [{ type: 'message', text: 'reply', from: { id: 'bot' }, locale: 'ar-SA' }, { type: 'typing' }],
    },
    {
      name: 'POST /connector/whatsapp/…/activities',
      method: 'POST',
      path: '/connector/whatsapp/v3/conversations/966511111111/activities',
      auth: [['x-musaed-connector', CONNECTOR_SECRET]],
      seeds: [{ type: 'message', text: 'reply', locale: 'en-US' }, { type: 'message', text: 'choose', suggestedActions: { actions: [{ type: 'imBack', title: 'A', value: 'a' }] } }],
    },
    {
      name: 'POST /api/whatsapp',
      method: 'POST',
      path: '/api/whatsapp',
      sign: (body) => [['x-hub-signature-256', 'sha256=' + createHmac('sha256', WA_APP_SECRET).update(body).digest('hex')]],
      seeds: [waMessage],
      maxBytes: WEBHOOK_MAX_BYTES,
    },
  ];
}

/** The headers a route's accepted caller sends with this body (empty for open routes). */
export function credentials(route: BodyRoute, body: Buffer): Array<[string, string]> {
  return [...(route.auth ?? []), ...(route.sign?.(body) ?? [])];
}
