/**
 * Attachments are fetched only from the channels' own stores. A local HTTP server that counts
 * its hits stands for a loopback service an attacker names as an attachment's contentUrl: the
 * bot must never contact it (0 hits), and its reply must be the same whether the URL answers
 * or not. Before the fix the Tawasul dialog fetched any http(s) URL, and the reply said
 * "not a PDF" for a live one and "could not read" for a dead one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { tawasulDialogFactory } from '../../dialogs/tawasulDialog';
import { createAttachmentReader, isAllowedAttachmentUrl } from '../../bot/attachmentSource';
import { AHMED, OTP, harness, play, startStatusSim, useSimulator, t, texts } from '../status/support';

let sim: Simulator;
let url: string;
useSimulator(startStatusSim, (running) => ({ sim, url } = running));

let target: Server;
let origin = '';
let hits = 0;
beforeAll(async () => {
  target = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/pdf' });
    res.end('%PDF-1.4 secret internal page');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => target.close(() => r())));

const MAX = 5 * 1024 * 1024;
/** As bot/app.ts wires it: this service's origins (not the target), no allowed hosts. */
const reader = () => createAttachmentReader({ ownOrigins: () => ['http://127.0.0.1:1', undefined], allowedHosts: [], maxBytes: MAX });
const en = (key: string, args?: Record<string, unknown>) => t('en', `tawasul:${key}`, args);

describe('attachments are fetched only from the channels own stores', () => {
  it('a Tawasul attachment naming a loopback service: 0 hits, and the same reply for a live and a dead URL', async () => {
    hits = 0;
    const h = harness({ sim, url, locale: 'en-US', features: [tawasulDialogFactory], attachments: reader() });
    await play(h, [
      ['open a tawasul ticket', t('en', 'verify:askId')],
      [AHMED, 'code'],
      [OTP, en('askSection')],
      ['General inquiries', 'Topic: choose one of the buttons.'],
      ['Visas', 'Describe your request'],
      ['Can my mother extend her visit visa by one month?', 'Send any attachments'],
    ]);
    const live = texts(await h.sayActivity({ text: '', attachments: [{ contentType: 'application/pdf', contentUrl: `${origin}/admin/secret`, name: 'a.pdf' }] }));
    const dead = texts(await h.sayActivity({ text: '', attachments: [{ contentType: 'application/pdf', contentUrl: 'http://127.0.0.1:9/admin/secret', name: 'a.pdf' }] }));
    expect(hits).toBe(0);
    expect(live).toBe(dead);
    expect(live).toContain(en('file.unreadable', { name: 'a.pdf' }));
    expect(sim.created.attachments).toBe(0);
  });

  it('the policy by channel: own signed stores for Direct Line and WhatsApp, listed https hosts for the rest, nothing else contacted', async () => {
    hits = 0;
    const own = { ownOrigins: () => [origin], allowedHosts: ['files.example.com', '.teams.example'] };
    expect(isAllowedAttachmentUrl('musaed.webchat', `${origin}/v3/directline/conversations/c1/files/f1?exp=1&sig=x`, own)).toBe(true);
    expect(isAllowedAttachmentUrl('musaed.webchat', `${origin}/api/agent/queue`, own)).toBe(false);
    expect(isAllowedAttachmentUrl('musaed.webchat', 'https://files.example.com/v3/directline/conversations/c1/files/f1', own)).toBe(false);
    expect(isAllowedAttachmentUrl('whatsapp', `${origin}/api/whatsapp/media/123?exp=1&sig=x`, own)).toBe(true);
    expect(isAllowedAttachmentUrl('whatsapp', `${origin}/v3/directline/conversations/c1/files/f1`, own)).toBe(false);
    expect(isAllowedAttachmentUrl('msteams', 'https://files.example.com/a.pdf', own)).toBe(true);
    expect(isAllowedAttachmentUrl('msteams', 'https://x.teams.example/a.pdf', own)).toBe(true);
    expect(isAllowedAttachmentUrl('msteams', 'http://files.example.com/a.pdf', own)).toBe(false);
    expect(isAllowedAttachmentUrl('msteams', 'https://files.example.com.evil.test/a.pdf', own)).toBe(false);
    expect(isAllowedAttachmentUrl('msteams', 'https://user@files.example.com/a.pdf', own)).toBe(false);
    expect(isAllowedAttachmentUrl('emulator', `${origin}/v3/directline/conversations/c1/files/f1`, own)).toBe(false);
    const r = createAttachmentReader({ ...own, maxBytes: MAX });
    await expect(r.read('emulator', `${origin}/x`)).rejects.toThrow(/refused/);
    await expect(r.read('whatsapp', `${origin}/x`)).rejects.toThrow(/refused/);
    expect(hits).toBe(0);
    // The own store is read (the one hit), and inline data: URLs need no network.
    expect(Buffer.from(await r.read('whatsapp', `${origin}/api/whatsapp/media/9`)).toString()).toContain('%PDF');
    expect(hits).toBe(1);
    expect(Buffer.from(await r.read('emulator', `data:application/pdf;base64,${Buffer.from('%PDF-1.4').toString('base64')}`)).toString()).toBe('%PDF-1.4');
  });
});
