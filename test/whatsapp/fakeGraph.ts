/**
 * A fake WhatsApp Cloud API (Graph) on loopback that behaves like the real one where it
 * matters to the channel: bearer auth, message validation at Meta's limits (a message the
 * real API would reject is rejected here, with 131009), mark-as-read, the two-step media
 * download, errors on demand (131047, 130429, 131056, 131026, 5xx) and webhooks signed and
 * serialised as Meta does (non-ASCII escaped as \uXXXX, "/" as "\/").
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  to: string;
  type: string;
  body: Record<string, unknown>;
  wamid: string;
}

export interface QueuedError {
  code: number;
  status: number;
  times: number;
  /** Sends to let through before failing. */
  after: number;
}

export interface FakeGraph {
  url: string;
  version: string;
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  /** Messages accepted, in order. */
  sent: SentMessage[];
  /** Messages the real API would have refused (limits broken), with the reason. */
  rejected: Array<{ body: unknown; reason: string }>;
  /** Mark-as-read calls: the message id and whether the typing indicator was asked for. */
  reads: Array<{ messageId: string; typing: boolean }>;
  /** POSTs to /messages answered with an error, by code. */
  failures: number[];
  /** Every request's method and path (auth checks, media steps). */
  requests: Array<{ method: string; path: string; auth: boolean }>;
  /** The next `times` sends answer with this error code (status defaults per code). */
  failNext(code: number, options?: { status?: number; times?: number; after?: number }): void;
  addMedia(id: string, bytes: Buffer, mimeType: string): void;
  /** Sends of an image or document with this link fail with 131053 (Meta could not download it), every time. */
  failMedia(link: string): void;
  /** Meta's serialisation of a payload: JSON with non-ASCII as \uXXXX and "/" as "\/". */
  serialize(payload: unknown): Buffer;
  signatureOf(raw: Buffer): string;
  /** POSTs a webhook to the bot, signed like Meta unless told otherwise. */
  deliver(botUrl: string, payload: unknown, options?: { signature?: string | null; raw?: Buffer }): Promise<{ status: number; body: string }>;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_STATUS: Record<number, number> = { 131047: 400, 131026: 400, 130429: 429, 131056: 400, 1: 500, 2: 503 };
const ERROR_TEXT: Record<number, string> = {
  131047: 'Re-engagement message',
  131026: 'Message Undeliverable',
  130429: 'Rate limit hit',
  131056: '(Business Account, Consumer Account) pair rate limit hit',
  1: 'An unknown error occurred',
  2: 'Service temporarily unavailable',
  131009: 'Parameter value is not valid',
};

/** Why the real API would refuse this message, or undefined when it is acceptable. */
export function whyRejected(m: Record<string, unknown>): string | undefined {
  const len = (v: unknown) => (typeof v === 'string' ? v.length : -1);
  if (m.messaging_product !== 'whatsapp') return 'messaging_product';
  if (typeof m.to !== 'string' || !/^\d{5,20}$/.test(m.to)) return 'to';
  switch (m.type) {
    case 'text': {
      const body = (m.text as { body?: string } | undefined)?.body;
      if (!body || body.length > 4096) return `text.body length ${len(body)}`;
      return undefined;
    }
    case 'interactive': {
      const i = m.interactive as Record<string, any>;
      const body = i?.body?.text;
      if (!body || body.length > 1024) return `interactive.body length ${len(body)}`;
      if (i.type === 'button') {
        const buttons = i.action?.buttons as Array<{ reply: { id: string; title: string } }>;
        if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return 'buttons count';
        for (const b of buttons) {
          if (!b.reply?.title || b.reply.title.length > 20) return `button title "${b.reply?.title}" (${len(b.reply?.title)})`;
          if (!b.reply.id || b.reply.id.length > 256) return 'button id';
        }
        if (new Set(buttons.map((b) => b.reply.id)).size !== buttons.length) return 'button ids not unique';
        if (new Set(buttons.map((b) => b.reply.title)).size !== buttons.length) return 'button titles not unique';
        return undefined;
      }
      if (i.type === 'list') {
        const button = i.action?.button;
        if (!button || button.length > 20) return `list button (${len(button)})`;
        const rows = (i.action?.sections ?? []).flatMap((s: { rows: unknown[] }) => s.rows) as Array<{ id: string; title: string; description?: string }>;
        if (rows.length < 1 || rows.length > 10) return 'rows count';
        for (const r of rows) {
          if (!r.title || r.title.length > 24) return `row title "${r.title}" (${len(r.title)})`;
          if (r.description !== undefined && r.description.length > 72) return `row description (${len(r.description)})`;
          if (!r.id || r.id.length > 200) return 'row id';
        }
        if (new Set(rows.map((r) => r.id)).size !== rows.length) return 'row ids not unique';
        return undefined;
      }
      return `interactive type ${String(i?.type)}`;
    }
    case 'template': {
      const t = m.template as Record<string, any>;
      if (!t?.name || !t.language?.code) return 'template name/language';
      for (const c of t.components ?? []) {
        for (const p of c.parameters ?? []) {
          if (typeof p.text !== 'string' || /[\n\t]| {5,}/.test(p.text)) return 'template parameter has newlines, tabs or 5 spaces';
          if (p.text.length > 1024) return 'template parameter too long';
        }
      }
      return undefined;
    }
    case 'image':
    case 'document': {
      const media = m[m.type] as { link?: string; id?: string; caption?: string } | undefined;
      if (!media?.link && !media?.id) return 'media link';
      if (media.caption !== undefined && (media.caption.length === 0 || media.caption.length > 1024)) return `caption length ${media.caption.length}`;
      return undefined;
    }
    default:
      return `type ${String(m.type)}`;
  }
}

export async function startFakeGraph(settings: { accessToken?: string; appSecret?: string; phoneNumberId?: string; version?: string } = {}): Promise<FakeGraph> {
  const accessToken = settings.accessToken ?? 'EAAGtestaccesstoken';
  const appSecret = settings.appSecret ?? 'test-app-secret';
  const phoneNumberId = settings.phoneNumberId ?? '109876543210';
  const version = settings.version ?? 'v21.0';
  const sent: SentMessage[] = [];
  const rejected: FakeGraph['rejected'] = [];
  const reads: FakeGraph['reads'] = [];
  const failures: number[] = [];
  const requests: FakeGraph['requests'] = [];
  const queue: QueuedError[] = [];
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  const brokenLinks = new Set<string>();
  let n = 0;
  let base = '';

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const graphError = (res: http.ServerResponse, status: number, code: number, message = ERROR_TEXT[code] ?? 'error') =>
    json(res, status, { error: { message: `(#${code}) ${message}`, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details: message }, fbtrace_id: 'AbCdEf' } });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const auth = req.headers.authorization === `Bearer ${accessToken}`;
      requests.push({ method: req.method ?? '', path, auth });
      if (!auth) return graphError(res, 401, 190, 'Invalid OAuth access token');

      if (req.method === 'POST' && path === `/${version}/${phoneNumberId}/messages`) {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          return graphError(res, 400, 100, 'Invalid JSON');
        }
        if (body.status === 'read') {
          reads.push({ messageId: String(body.message_id), typing: (body.typing_indicator as { type?: string } | undefined)?.type === 'text' });
          return json(res, 200, { success: true });
        }
        const failure = queue[0];
        if (failure && failure.after > 0) failure.after--;
        else if (failure) {
          if (--failure.times <= 0) queue.shift();
          failures.push(failure.code);
          return graphError(res, failure.status, failure.code);
        }
        const link = (body[String(body.type)] as { link?: string } | undefined)?.link;
        if (link && brokenLinks.has(link)) {
          failures.push(131053);
          return graphError(res, 400, 131053, 'Media upload error');
        }
        const reason = whyRejected(body);
        if (reason) {
          rejected.push({ body, reason });
          return graphError(res, 400, 131009, `Parameter value is not valid: ${reason}`);
        }
        const wamid = `wamid.OUT${++n}`;
        sent.push({ to: String(body.to), type: String(body.type), body, wamid });
        return json(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: wamid }] });
      }
      const mediaStep1 = new RegExp(`^/${version.replace('.', '\\.')}/([^/]+)$`).exec(path);
      if (req.method === 'GET' && mediaStep1) {
        const id = decodeURIComponent(mediaStep1[1] ?? '');
        const m = media.get(id);
        if (!m) return graphError(res, 404, 100, 'Unsupported get request');
        return json(res, 200, {
          messaging_product: 'whatsapp',
          url: `${base}/whatsapp_business/attachments/?mid=${encodeURIComponent(id)}`,
          mime_type: m.mimeType,
          sha256: 'x',
          file_size: m.bytes.length,
          id,
        });
      }
      if (req.method === 'GET' && path === '/whatsapp_business/attachments/') {
        const id = new URL(req.url ?? '/', 'http://x').searchParams.get('mid') ?? '';
        const m = media.get(id);
        if (!m) return graphError(res, 404, 100, 'not found');
        res.writeHead(200, { 'content-type': m.mimeType, 'content-length': String(m.bytes.length) });
        return res.end(m.bytes);
      }
      graphError(res, 404, 100, 'Unknown path');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const serialize = (payload: unknown) =>
    Buffer.from(
      JSON.stringify(payload)
        .replace(/\//g, '\\/')
        .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      'utf8',
    );
  const signatureOf = (raw: Buffer) => `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;

  return {
    url: base,
    version,
    phoneNumberId,
    accessToken,
    appSecret,
    sent,
    rejected,
    reads,
    failures,
    requests,
    failNext(code, options = {}) {
      queue.push({ code, status: options.status ?? DEFAULT_STATUS[code] ?? 400, times: options.times ?? 1, after: options.after ?? 0 });
    },
    addMedia(id, bytes, mimeType) {
      media.set(id, { bytes, mimeType });
    },
    failMedia(link) {
      brokenLinks.add(link);
    },
    serialize,
    signatureOf,
    async deliver(botUrl, payload, options = {}) {
      const raw = options.raw ?? serialize(payload);
      const signature = options.signature === undefined ? signatureOf(raw) : options.signature;
      const res = await fetch(`${botUrl}/api/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hub-signature-256': signature }) },
        body: new Uint8Array(raw),
      });
      return { status: res.status, body: await res.text() };
    },
    reset() {
      sent.length = 0;
      rejected.length = 0;
      reads.length = 0;
      failures.length = 0;
      requests.length = 0;
      queue.length = 0;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

// ---- webhook payloads as Meta sends them ----
let seq = 0;
export const newWamid = () => `wamid.HBgM${Date.now().toString(36)}${(++seq).toString(36)}`;

/**
 * A message id as Meta makes it: base64 of a protobuf that starts with the sender's number
 * ("wamid.HBgM" + base64("9665…") + …), so the id alone gives the number away.
 */
export function wamidOf(waId: string): string {
  const head = Buffer.from([0x1c, 0x18, waId.length]);
  const tail = Buffer.concat([Buffer.from([0x15, 0x02, 0x00, 0x12, 0x18, 0x14]), Buffer.from(randomBytes(10).toString('hex').toUpperCase())]);
  return `wamid.${Buffer.concat([head, Buffer.from(waId), tail]).toString('base64')}`;
}

/** The envelope Meta wraps every webhook change in. */
function envelope(phoneNumberId: string, value: Record<string, unknown>): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '966920000000', phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** Messages from one user as Meta sends them; `sentAt` (ms) is when the user sent them (Meta's timestamp). */
export function webhookOf(phoneNumberId: string, waId: string, messages: Array<Record<string, unknown>>, name = 'عبدالله', sentAt = Date.now()): Record<string, unknown> {
  return envelope(phoneNumberId, {
    contacts: [{ profile: { name }, wa_id: waId }],
    messages: messages.map((m) => ({ from: waId, timestamp: String(Math.floor(sentAt / 1000)), ...m })),
  });
}

/** Any value of a `messages` change (contacts, messages, statuses, errors), wrapped as Meta does. */
export function changeOf(phoneNumberId: string, value: Record<string, unknown>): Record<string, unknown> {
  return envelope(phoneNumberId, value);
}

export function statusWebhookOf(phoneNumberId: string, waId: string, status: string, id = newWamid()): Record<string, unknown> {
  return envelope(phoneNumberId, {
    statuses: [
      {
        id,
        status,
        timestamp: String(Math.floor(Date.now() / 1000)),
        recipient_id: waId,
        ...(status === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable' }] } : {}),
      },
    ],
  });
}

export const msg = {
  text: (body: string, id = newWamid()) => ({ id, type: 'text', text: { body } }),
  buttonReply: (replyId: string, title: string, id = newWamid()) => ({ id, type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: replyId, title } } }),
  listReply: (replyId: string, title: string, id = newWamid()) => ({ id, type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: replyId, title, description: '' } } }),
  quickReply: (text: string, payload: string, id = newWamid()) => ({ id, type: 'button', button: { payload, text } }),
  image: (mediaId: string, mime: string, caption?: string, id = newWamid()) => ({ id, type: 'image', image: { id: mediaId, mime_type: mime, sha256: 'x', ...(caption ? { caption } : {}) } }),
  document: (mediaId: string, mime: string, filename: string, caption?: string, id = newWamid()) => ({ id, type: 'document', document: { id: mediaId, mime_type: mime, sha256: 'x', filename, ...(caption ? { caption } : {}) } }),
  audio: (mediaId: string, mime: string, id = newWamid()) => ({ id, type: 'audio', audio: { id: mediaId, mime_type: mime, sha256: 'x', voice: true } }),
  location: (latitude: number, longitude: number, name?: string, address?: string, id = newWamid()) => ({ id, type: 'location', location: { latitude, longitude, name, address } }),
  sticker: (id = newWamid()) => ({ id, type: 'sticker', sticker: { id: 'st1', mime_type: 'image/webp', animated: false } }),
  unsupported: (id = newWamid()) => ({ id, type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] }),
};
