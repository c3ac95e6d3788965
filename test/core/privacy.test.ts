import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { createLogger, maskPii } from '../../bot/logger';
import { say, texts } from '../helpers/http';
import { startApp } from '../helpers/app';
import type { App } from '../../bot/app';

const ID = '2345678904';
const PHONE = '0551234567';

/** A feature that fails with personal data in its error, the way a careless library might. */
class LeakyDialog extends Dialog {
  constructor() {
    super('faq');
  }
  async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    throw new Error(`lookup failed for id ${dc.context.activity.text} phone ${PHONE} Bearer abcdefghijklmnopqrstuvwxyz123456`);
  }
}

describe('personal data never reaches a log line in clear', () => {
  const lines: string[] = [];
  let app: App & { baseUrl: string };

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    app = await startApp(
      { LOG_LEVEL: 'trace' },
      {
        logger: createLogger({ level: 'trace', destination }),
        recognizer: {
          recognize: (text) => ({ language: 'ar', normalized: text, intent: text === 'مساعدة' ? 'help' : 'faq', score: 1, entities: { idNumber: ID } }),
        },
        features: [() => new LeakyDialog()],
      },
    );
  });
  afterAll(async () => {
    await app.close();
  });

  it('masks ID numbers, phones and tokens in every line, and the user still gets a localised apology', async () => {
    await say(app.baseUrl, 'pii-1', 'السلام عليكم');
    const replies = await say(app.baseUrl, 'pii-1', `رقم هويتي ${ID}`);
    expect(texts(replies).join()).toContain('حدث خطأ غير متوقع');
    const all = lines.join('\n');
    expect(all).toContain('turn failed'); // the error was logged…
    expect(all).toContain('*****8904'); // …masked, with the correlation id
    expect(all).toMatch(/"correlationId":"[0-9a-f-]{36}"/);
    expect(all).not.toContain(ID);
    expect(all).not.toContain(PHONE);
    expect(all).not.toContain('abcdefghijklmnopqrstuvwxyz123456');
    // The dialog stack was cleared: the next turn starts fresh instead of failing again.
    const next = await say(app.baseUrl, 'pii-1', 'مساعدة');
    expect(texts(next).join()).toContain('أقدر أساعدك في');
  });

  it('masks the transcript too', async () => {
    const entries = await app.transcripts.read('emulator/conversations/pii-1');
    const text = entries.map((e) => e.text).join('\n');
    expect(text).toContain('*****8904');
    expect(text).not.toContain(ID);
  });

  it('maskPii covers the formats people type', () => {
    expect(maskPii('هوية 1234567897 و 2345678904')).toBe('هوية 1*****7897 و 2*****8904');
    expect(maskPii('+966551234567 / 966551234567 / 0551234567')).not.toMatch(/55123/);
    expect(maskPii('request 12345')).toBe('request 12345');
    // Arabic-Indic digits and the groups people space out are the same numbers.
    expect(maskPii('هويتي ٢٣٤٥٦٧٨٩٠٤')).toBe('هويتي ٢*****٨٩٠٤');
    expect(maskPii('رقمي ٢٣٤٥ ٦٧٨ ٩٠٤ لو سمحت')).toBe('رقمي ٢*****٨٩٠٤ لو سمحت');
    expect(maskPii('2345-678-904')).toBe('2*****8904');
    expect(maskPii('جوالي ٠٥٥١٢٣٤٥٦٧')).not.toMatch(/٥٥١٢٣/);
    expect(maskPii('+966 55 123 4567')).toBe('05******67');
    expect(maskPii('طلب ٤٠٠٠٠٠١٠١ بتاريخ 2026-11-23')).toBe('طلب ٤٠٠٠٠٠١٠١ بتاريخ 2026-11-23');
  });
});
