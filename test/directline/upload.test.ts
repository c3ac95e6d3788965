/**
 * Uploads: the official client's multipart upload reaches the bot as an attachment it can
 * fetch; files of the wrong kind, too large or too many are refused with a clear 400; file
 * links are signed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelModule } from '../../bot/app';
import { cleanRedis, Conversation, startDirectLine, type DirectLineHarness } from './support';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0)]);

describe('Direct Line upload', () => {
  let h: DirectLineHarness;
  /** What the bot got when it fetched each attachment's contentUrl during its turn. */
  const fetched: Array<{ name?: string; contentType: string; status: number; bytes: Buffer }> = [];
  const fetcher: ChannelModule = (ctx) => {
    ctx.use({
      async onTurn(tc, next) {
        for (const a of tc.activity.attachments ?? []) {
          const res = await fetch(a.contentUrl!);
          fetched.push({ name: a.name, contentType: a.contentType, status: res.status, bytes: Buffer.from(await res.arrayBuffer()) });
        }
        await next();
      },
    });
  };

  beforeAll(async () => {
    h = await startDirectLine({ overrides: { channels: [fetcher] } });
  });
  afterAll(async () => {
    await h.close();
    await cleanRedis(h.prefix);
  });

  const started = async () => {
    const { token } = await h.token();
    const c = new Conversation(h.app.baseUrl, { token, webSocket: true, locale: 'ar-SA' });
    await c.waitForBot(2);
    return { c, token, conv: c.conversationId };
  };

  const upload = (conv: string, token: string, files: Array<{ name: string; type: string; data: Buffer }>, activity?: unknown) => {
    const form = new FormData();
    if (activity) form.append('activity', new Blob([JSON.stringify(activity)], { type: 'application/vnd.microsoft.activity' }));
    for (const f of files) form.append('file', new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
    return fetch(`${h.app.baseUrl}/v3/directline/conversations/${conv}/upload?userId=whoever`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  };

  it('a small PDF sent by the official client reaches the bot, which can fetch it', async () => {
    const { c } = await started();
    try {
      fetched.length = 0;
      const id = await c.post({
        type: 'message',
        from: { id: 'page-user' },
        text: 'صورة الجواز',
        locale: 'ar-SA',
        attachments: [{ contentType: 'application/pdf', name: 'جواز السفر.pdf', contentUrl: `data:application/pdf;base64,${PDF.toString('base64')}` }],
        channelData: { clientActivityID: 'upload-1' },
      } as never);
      expect(id).toMatch(/\|\d{7}$/);
      await h.channel.idle();
      const turn = h.seen.find((a) => a.id === id)!;
      expect(turn.text).toBe('صورة الجواز');
      expect(turn.locale).toBe('ar-SA');
      expect(turn.attachments).toHaveLength(1);
      expect(turn.attachments![0]).toMatchObject({ contentType: 'application/pdf', name: 'جواز السفر.pdf' });
      expect(fetched).toEqual([{ name: 'جواز السفر.pdf', contentType: 'application/pdf', status: 200, bytes: PDF }]);

      // The page gets the echo with the same file (a link it can open) and its clientActivityID.
      const echo = await c.waitFor((a) => a.id === id);
      expect((echo as { channelData?: { clientActivityID?: string } }).channelData?.clientActivityID).toBe('upload-1');
      const link = (echo as { attachments?: Array<{ contentUrl: string }> }).attachments![0]!.contentUrl;
      const res = await fetch(link);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await res.arrayBuffer())).toEqual(PDF);

      // Links are signed: a changed signature, expiry or file id is refused.
      expect((await fetch(link.replace(/sig=[^&]+/, 'sig=' + 'A'.repeat(43)))).status).toBe(403);
      expect((await fetch(link.replace(/exp=\d+/, (m) => `exp=${Number(m.slice(4)) + 1}`))).status).toBe(403);
      expect((await fetch(link.replace(/\/files\/[^?]+/, '/files/other'))).status).toBe(403);
    } finally {
      c.end();
    }
  });

  it('takes several images with the activity part, and types files by their bytes', async () => {
    const { c, token, conv } = await started();
    try {
      fetched.length = 0;
      const res = await upload(conv, token, [
        { name: 'a.png', type: 'image/png', data: PNG },
        { name: 'mislabelled.txt', type: 'text/plain', data: PDF },
      ], { type: 'message', text: 'two files', channelData: { clientActivityID: 'x2' } });
      expect(res.status).toBe(200);
      await h.channel.idle();
      expect(fetched.map((f) => [f.name, f.contentType, f.status])).toEqual([
        ['a.png', 'image/png', 200],
        ['mislabelled.txt', 'application/pdf', 200],
      ]);
    } finally {
      c.end();
    }
  });

  it('refuses an .exe, a 6 MB file, six files, and no file, each with a 400 that says why; nothing reaches the bot', async () => {
    const { c, token, conv } = await started();
    try {
      const before = h.seen.length;
      const cases: Array<[Array<{ name: string; type: string; data: Buffer }>, string, RegExp]> = [
        [[{ name: 'setup.exe', type: 'application/octet-stream', data: EXE }], 'unsupported_file_type', /setup\.exe: only PDF, JPEG and PNG/],
        [[{ name: 'setup.pdf', type: 'application/pdf', data: EXE }], 'unsupported_file_type', /only PDF, JPEG and PNG/],
        [[{ name: 'big.pdf', type: 'application/pdf', data: Buffer.concat([PDF, Buffer.alloc(6 * 1024 * 1024)]) }], 'file_too_large', /big\.pdf: larger than 5 MB/],
        [Array.from({ length: 6 }, (_, i) => ({ name: `p${i}.png`, type: 'image/png', data: PNG })), 'too_many_files', /at most 5 files/],
        [[], 'no_files', /no file/],
      ];
      for (const [files, code, message] of cases) {
        const res = await upload(conv, token, files, { type: 'message', text: 'x' });
        expect(res.status, code).toBe(400);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe(code);
        expect(body.error.message).toMatch(message);
      }
      await h.channel.idle();
      expect(h.seen.length).toBe(before);
      // The conversation carries on.
      expect((await c.say('السلام عليكم'))).toHaveLength(1);
    } finally {
      c.end();
    }
  });

  it('answers 415 to a body that is not multipart, 413 past the total limit, 400 to a broken body', async () => {
    const { c, token, conv } = await started();
    try {
      const url = `${h.app.baseUrl}/v3/directline/conversations/${conv}/upload`;
      const auth = { authorization: `Bearer ${token}` };
      const json = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
      expect(json.status).toBe(415);
      const huge = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'multipart/form-data; boundary=xyz' }, body: Buffer.alloc(27 * 1024 * 1024, 97) });
      expect(huge.status).toBe(413);
      const broken = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'multipart/form-data; boundary=xyz' }, body: 'not multipart at all' });
      expect(broken.status).toBe(400);
      const badActivity = await upload(conv, token, [{ name: 'a.png', type: 'image/png', data: PNG }], { type: 'invoke', name: 'x' });
      expect(badActivity.status).toBe(400);
      expect((await fetch(`${h.app.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      c.end();
    }
  });
});
