/** Rendering for WhatsApp's limits (pure): every message also passes the fake Graph API's validator. */
import { describe, expect, it } from 'vitest';
import type { Activity, CardAction } from 'botbuilder';
import { markdownToWhatsApp, renderActivity, splitText, toTemplateParam, truncate, type RenderLabels, type WaMessage } from '../../adapters/whatsapp';
import { whyRejected } from './fakeGraph';

const labels: RenderLabels = { choose: 'اختر ما يناسبك:', listButton: 'عرض الخيارات', numberedHint: 'أرسل رقم اختيارك، مثلاً: 1' };
const imBack = (title: string, value = title): CardAction => ({ type: 'imBack', title, value });
const withChoices = (text: string, titles: string[]): Partial<Activity> => ({ type: 'message', text, suggestedActions: { to: [], actions: titles.map((t) => imBack(t)) } });

function accepted(messages: WaMessage[]): void {
  for (const m of messages) expect(whyRejected({ messaging_product: 'whatsapp', to: '966500000001', ...m })).toBeUndefined();
}
type Row = { id: string; title: string; description?: string };
const rowsOf = (m: WaMessage | undefined): Row[] => {
  if (m?.type !== 'interactive') throw new Error(`not interactive: ${m?.type}`);
  return m.interactive.type === 'button' ? m.interactive.action.buttons.map((b) => b.reply) : m.interactive.action.sections[0]!.rows;
};

// Arabic titles exactly at and just over the limits.
const AT_20 = 'تجديد إقامة ابني علي';
const AT_21 = 'تجديد إقامة ابني محمد';
const AT_24 = 'تجديد إقامة أحد التابعين';
const AT_26 = 'تجديد إقامة العامل المنزلي';

describe('limits of the fixtures', () => {
  it('the Arabic titles are exactly the lengths the tests need', () => {
    expect([AT_20.length, AT_21.length, AT_24.length, AT_26.length]).toEqual([20, 21, 24, 26]);
  });
});

describe('truncation and splitting on character boundaries', () => {
  it('truncates with an ellipsis and never splits an emoji or a letter from its mark', () => {
    expect(truncate('👍👍👍', 4)).toBe('👍…');
    const voweled = 'مُتابَعةُ الطَّلَبِ';
    for (let max = 2; max < voweled.length; max++) {
      const cut = truncate(voweled, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut.endsWith('…')).toBe(true);
      // The kept part is a prefix made of whole graphemes: the next character is not a combining mark.
      const kept = cut.slice(0, -1).trimEnd();
      const next = voweled.slice(kept.length, kept.length + 1);
      expect(/\p{M}/u.test(next)).toBe(false);
    }
    expect(truncate(AT_24, 24)).toBe(AT_24);
  });

  it('splits long Arabic text under 4,096 at word boundaries without losing a word', () => {
    const words = Array.from({ length: 1200 }, (_, i) => `كلمة${i}`);
    const text = words.join(' ');
    expect(text.length).toBeGreaterThan(8192);
    const parts = splitText(text, 4096);
    expect(parts.length).toBe(3);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    expect(parts.join(' ').split(' ')).toEqual(words);
  });

  it('flattens template parameters (no newlines, tabs or runs of spaces) and caps them', () => {
    const param = toTemplateParam('سطر أول\n\nسطر\tثانٍ     وثالث', 1000);
    expect(param).toBe('سطر أول — سطر ثانٍ وثالث');
    expect(toTemplateParam('ا'.repeat(5000), 1000)).toHaveLength(1000);
  });
});

describe('markdown → WhatsApp formatting', () => {
  it('converts bold, italic, strike, headings, links and bullets', () => {
    expect(markdownToWhatsApp('**مهم**: اقرأ *الشروط* و__كاملة__ ~~قديم~~ [أبشر](https://absher.sa)')).toBe(
      '*مهم*: اقرأ _الشروط_ و*كاملة* ~قديم~ أبشر (https://absher.sa)',
    );
    expect(markdownToWhatsApp('## الشروط\n- إقامة سارية\n* جواز ساري')).toBe('*الشروط*\n• إقامة سارية\n• جواز ساري');
    expect(markdownToWhatsApp('2 * 3 = 6 and snake_case_name')).toBe('2 * 3 = 6 and snake_case_name');
  });

  it('leaves plain-format text alone', () => {
    const r = renderActivity({ type: 'message', text: '**كما هو**', textFormat: 'plain' }, labels);
    expect(r.messages).toEqual([{ type: 'text', text: { body: '**كما هو**' } }]);
  });

  it('splits a long reply into text messages of at most 4,096', () => {
    const r = renderActivity({ type: 'message', text: 'نص طويل '.repeat(700) }, labels);
    expect(r.messages.length).toBe(2);
    accepted(r.messages);
  });
});

describe('choices → buttons, list or numbered menu', () => {
  it('up to 3 choices with titles of 20 → reply buttons whose ids are the values', () => {
    const r = renderActivity(withChoices('هل تريد المتابعة؟', [AT_20, 'نعم، أكمل', 'لا، ألغِ الطلب']), labels);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toMatchObject({ type: 'interactive', interactive: { type: 'button', body: { text: 'هل تريد المتابعة؟' } } });
    expect(rowsOf(r.messages[0])).toEqual([
      { id: AT_20, title: AT_20 },
      { id: 'نعم، أكمل', title: 'نعم، أكمل' },
      { id: 'لا، ألغِ الطلب', title: 'لا، ألغِ الطلب' },
    ]);
    expect(r.menu).toBeUndefined();
    accepted(r.messages);
  });

  it('a title of 21 turns 3 choices into a list (titles up to 24 kept whole)', () => {
    const r = renderActivity(withChoices('اختر الخدمة', [AT_21, 'نعم، أكمل']), labels);
    expect(r.messages[0]).toMatchObject({ interactive: { type: 'list', action: { button: 'عرض الخيارات' } } });
    expect(rowsOf(r.messages[0])).toEqual([{ id: AT_21, title: AT_21 }, { id: 'نعم، أكمل', title: 'نعم، أكمل' }]);
    accepted(r.messages);
  });

  it('4 to 10 choices with titles of 24 → a list without descriptions', () => {
    const titles = Array.from({ length: 10 }, (_, i) => `${AT_24.slice(0, 22)}${String(i).padStart(2, '٠')}`);
    for (const t of titles) expect(t.length).toBe(24);
    const r = renderActivity(withChoices('اختر', titles), labels);
    const rows = rowsOf(r.messages[0]);
    expect(rows.map((x) => x.title)).toEqual(titles);
    expect(rows.every((x) => !('description' in x))).toBe(true);
    accepted(r.messages);
  });

  it('a longer title is cut to 24 with an ellipsis, shown whole in the description (≤ 72), and its id keeps the value', () => {
    const long = 'أرغب في تجديد إقامة العامل المنزلي الذي تنتهي إقامته بعد أسبوعين من الآن تقريباً';
    expect(long.length).toBeGreaterThan(72);
    const r = renderActivity(withChoices('', [AT_26, long, 'أخرى', 'إلغاء']), labels);
    const rows = rowsOf(r.messages[0]);
    expect(rows[0]).toEqual({ id: AT_26, title: `${AT_26.slice(0, 23)}…`, description: AT_26 });
    expect(rows[0]!.title.length).toBeLessThanOrEqual(24);
    expect(rows[1]!.id).toBe(long);
    expect(rows[1]!.description?.length).toBe(72);
    expect(rows[1]!.description?.endsWith('…')).toBe(true);
    // No text of its own: the body asks to choose.
    expect(r.messages[0]).toMatchObject({ interactive: { body: { text: 'اختر ما يناسبك:' } } });
    accepted(r.messages);
  });

  it('more than 10 choices → a numbered text menu whose values are remembered in order', () => {
    const titles = Array.from({ length: 12 }, (_, i) => `الخيار رقم ${i + 1}`);
    const r = renderActivity(withChoices('اختر سؤالاً:', titles), labels);
    expect(r.messages).toHaveLength(1);
    const body = (r.messages[0] as { text: { body: string } }).text.body;
    expect(body.startsWith('اختر سؤالاً:\n\n1. الخيار رقم 1\n2. الخيار رقم 2')).toBe(true);
    expect(body).toContain('\n12. الخيار رقم 12\n\nأرسل رقم اختيارك، مثلاً: 1');
    expect(r.menu).toEqual(titles);
    accepted(r.messages);
  });

  it('text longer than an interactive body goes first as text; the last part (≤ 1,024) carries the buttons', () => {
    const text = 'فقرة توضيحية عن الشروط. '.repeat(250);
    const r = renderActivity(withChoices(text, ['نعم', 'لا']), labels);
    expect(r.messages.map((m) => m.type)).toEqual(['text', 'text', 'interactive']);
    const body = (r.messages[2] as { interactive: { body: { text: string } } }).interactive.body.text;
    expect(body.length).toBeLessThanOrEqual(1024);
    const all = r.messages.map((m) => (m.type === 'text' ? m.text.body : body)).join(' ');
    expect(all.split(/\s+/)).toEqual(text.trim().split(/\s+/));
    accepted(r.messages);
  });

  it('duplicate values are offered once; messageBack and postBack count as choices', () => {
    const r = renderActivity(
      {
        type: 'message',
        text: 'اختر',
        suggestedActions: { to: [], actions: [imBack('نعم'), imBack('نعم'), { type: 'postBack', title: 'لا', value: 'لا' }, { type: 'messageBack', title: 'ربما', text: 'ربما لاحقاً', value: undefined }] },
      },
      labels,
    );
    expect(rowsOf(r.messages[0])).toEqual([
      { id: 'نعم', title: 'نعم' },
      { id: 'لا', title: 'لا' },
      { id: 'ربما لاحقاً', title: 'ربما' },
    ]);
  });
});

describe('cards → text plus buttons', () => {
  it('flattens an Adaptive Card: TextBlocks, FactSet, submit actions as buttons, links as text', () => {
    const r = renderActivity(
      {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              type: 'AdaptiveCard',
              body: [
                { type: 'TextBlock', text: 'ملخص الطلب', weight: 'Bolder' },
                { type: 'FactSet', facts: [{ title: 'رقم الطلب', value: 'T-1042' }, { title: 'الحالة', value: 'قيد المعالجة' }] },
                { type: 'Container', items: [{ type: 'TextBlock', text: 'هل تؤكد الإرسال؟' }] },
              ],
              actions: [
                { type: 'Action.Submit', title: 'تأكيد', data: 'تأكيد' },
                { type: 'Action.Submit', title: 'تعديل', data: { msteams: { type: 'imBack', value: 'تعديل الطلب' } } },
                { type: 'Action.OpenUrl', title: 'أبشر', url: 'https://www.absher.sa' },
              ],
            },
          },
        ],
      },
      labels,
    );
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toMatchObject({
      interactive: {
        type: 'button',
        body: { text: '*ملخص الطلب*\n\n*رقم الطلب*: T-1042\n\n*الحالة*: قيد المعالجة\n\nهل تؤكد الإرسال؟\n\nأبشر: https://www.absher.sa' },
      },
    });
    expect(rowsOf(r.messages[0])).toEqual([{ id: 'تأكيد', title: 'تأكيد' }, { id: 'تعديل الطلب', title: 'تعديل' }]);
    accepted(r.messages);
  });

  it('flattens a hero card: bold title, text and imBack buttons', () => {
    const r = renderActivity(
      {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.hero',
            content: { title: 'تجديد الإقامة', text: 'الرسوم 650 ريالاً للسنة', buttons: [imBack('ابدأ التجديد'), { type: 'openUrl', title: 'التفاصيل', value: 'https://absher.sa/x' }] },
          },
        ],
      },
      labels,
    );
    expect(r.messages[0]).toMatchObject({ interactive: { type: 'button', body: { text: '*تجديد الإقامة*\n\nالرسوم 650 ريالاً للسنة\n\nالتفاصيل: https://absher.sa/x' } } });
    expect(rowsOf(r.messages[0])).toEqual([{ id: 'ابدأ التجديد', title: 'ابدأ التجديد' }]);
  });

  it('the template summary holds the text on one line, without the choices (a template has no buttons)', () => {
    const r = renderActivity(withChoices('تم تحديث طلبك.\nهل تريد التفاصيل؟', ['نعم', 'لا']), labels);
    expect(r.summary).toBe('تم تحديث طلبك. — هل تريد التفاصيل؟');
  });

  it('text and files in reading order: one file with a short text is one captioned message; otherwise the text comes first', () => {
    const file = (n: number, type = 'image/png') => ({ contentType: type, contentUrl: `https://files.example.sa/${n}`, name: `${n}.pdf` });
    const one = renderActivity({ type: 'message', text: 'النموذج', attachments: [file(1)] }, labels);
    expect(one.messages).toEqual([{ type: 'image', image: { link: 'https://files.example.sa/1', caption: 'النموذج' } }]);
    const doc = renderActivity({ type: 'message', text: 'النموذج', attachments: [file(2, 'application/pdf')] }, labels);
    expect(doc.messages).toEqual([{ type: 'document', document: { link: 'https://files.example.sa/2', filename: '2.pdf', caption: 'النموذج' } }]);
    const two = renderActivity({ type: 'message', text: 'صورتان', attachments: [file(1), file(3)] }, labels);
    expect(two.messages.map((m) => m.type)).toEqual(['text', 'image', 'image']);
    const long = renderActivity({ type: 'message', text: 'ن'.repeat(1025), attachments: [file(1)] }, labels);
    expect(long.messages.map((m) => m.type)).toEqual(['text', 'image']);
  });
});
