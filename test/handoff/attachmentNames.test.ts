/**
 * What agents see of a user's attachments: names cleaned by the one sanitiser (no right-to-left
 * override, bidi or invisible characters, no markup), and a file link only for our own stored
 * files (Direct Line's signed file links, WhatsApp media); a link the user named is kept as plain
 * text. Before: the name kept U+202E and markup, and any https URL became a 📎 link in the console.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { App } from '../../bot/app';
import { handoffModule, type AgentHub } from '../../adapters/handoff';
import { handoffDialogFactory } from '../../dialogs/handoffDialog';
import { cleanName } from '../../adapters/directline/upload';
import { safeFileName } from '../../bot/fileName';
import { startApp } from '../helpers/app';
import { deleteByPrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { HANDOFF_DB, REDIS_URL } from './support';

const prefix = uniquePrefix('attnames');
let app: App & { baseUrl: string };
afterAll(async () => {
  await app?.close();
  const redis = testRedis(HANDOFF_DB);
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

describe('attachment names and links shown to agents', () => {
  it('one sanitiser: no bidi overrides, invisible characters, markup or paths', () => {
    expect(safeFileName('invoice\u202Efdp.exe', 'file')).toBe('invoicefdp.exe');
    expect(safeFileName('a\u2066b\u200Bc\u061C\uFEFF.pdf', 'file')).toBe('abc.pdf');
    expect(safeFileName('<img src=x onerror="alert(1)">.png', 'file')).toBe('_img src=x onerror=_alert(1)__.png');
    expect(safeFileName('..\\..\\etc/passwd', 'file')).toBe('passwd');
    expect(safeFileName('\u202E', 'file')).toBe('file');
    expect(safeFileName('x'.repeat(500), 'file')).toHaveLength(120);
    // Direct Line uploads go through the same one.
    expect(cleanName('scan\u202Egnp.pdf', 'file')).toBe('scangnp.pdf');
  });

  it('only our stored files are file links; a user-named https link is plain text', async () => {
    let hub!: AgentHub;
    app = await startApp({ REDIS_URL, REDIS_KEY_PREFIX: prefix }, { channels: [handoffModule({ onHub: (h) => (hub = h) })], features: [handoffDialogFactory] });
    const key = 'emulator/conversations/att-1';
    const own = `${app.baseUrl}/v3/directline/conversations/c1/files/f1?exp=1&sig=abc`;
    await hub.relayFromUser(key, 'my files', [
      { contentType: 'application/pdf', name: 'invoice\u202Efdp.exe', contentUrl: own },
      { contentType: 'application/pdf', name: '<b>x</b>.pdf', contentUrl: 'https://evil.example/payload.pdf' },
    ]);
    const line = (await hub.messages(key)).find((m) => m.role === 'user')!;
    expect(line.attachments).toEqual([
      { name: 'invoicefdp.exe', contentType: 'application/pdf', contentUrl: own },
      { name: 'b_.pdf', contentType: 'application/pdf', url: 'https://evil.example/payload.pdf' },
    ]);
  });
});
