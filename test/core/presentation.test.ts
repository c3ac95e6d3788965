/**
 * How outgoing messages show numbers (dialogs/format/outgoing.ts): Western digits only,
 * masked values and dates in a left-to-right isolate, nothing else touched; and the checker
 * every transcript and conversation suite runs on each reply fails on what it should.
 */
import { describe, expect, it } from 'vitest';
import { isolateNumbers, LRI, PDI, presentActivity, presentationProblems, presentText, unisolatedValuesIn } from '../../dialogs/format/outgoing';
import { normalizeForMatching } from '../../dialogs/understanding/normalize';

const iso = (v: string) => `${LRI}${v}${PDI}`;

describe('presentText', () => {
  it('isolates masked numbers, ISO dates and ranges inside Arabic', () => {
    expect(presentText('أرسلت رمز تحقق إلى جوالك 05******12. اكتب الرمز هنا.')).toBe(`أرسلت رمز تحقق إلى جوالك ${iso('05******12')}. اكتب الرمز هنا.`);
    expect(presentText('هوية ******7625 وهوية 2*****5437')).toBe(`هوية ${iso('******7625')} وهوية ${iso('2*****5437')}`);
    expect(presentText('(مثل 15/06/1448 هـ أو 2026-12-05)')).toBe(`(مثل 15/06/1448 هـ أو ${iso('2026-12-05')})`);
  });

  it('leaves alone what reads right without an isolate: plain numbers, slashes, times, words, links', () => {
    for (const s of ['الطلب رقم 400000101', '15/06/1448 هـ', 'الساعة 10:30', 'SA******7625', 'جواز A*****37', 'https://absher.sa/x/2026-12-05?a=1-2', 'Request 400000101 — 1,200 SAR', '**bold**']) {
      expect(presentText(s)).toBe(s);
    }
  });

  it('is idempotent: an isolated value is not wrapped twice', () => {
    const once = presentText('جوالك 05******12');
    expect(presentText(once)).toBe(once);
    expect(isolateNumbers(`\u2068${'05******12'}${PDI}`)).toBe(`\u2068${'05******12'}${PDI}`);
  });

  it('a value copied back from a reply (isolates included) reads as typed', () => {
    expect(normalizeForMatching(presentText('التاريخ 2026-12-05'))).toBe(normalizeForMatching('التاريخ 2026-12-05'));
  });

  it('gives one digit system: Arabic-Indic and Persian digits become Western', () => {
    expect(presentText('حتى ٥ ميجابايت للملف، و5 ملفات')).toBe('حتى 5 ميجابايت للملف، و5 ملفات');
    expect(presentText('من ١ إلى ۵')).toBe('من 1 إلى 5');
  });
});

describe('presentActivity', () => {
  it('presents the text, button titles and card display strings, never the values buttons send back', () => {
    const out = presentActivity({
      type: 'message',
      text: 'اختر رقمًا من ١ إلى ٥',
      suggestedActions: { to: [], actions: [{ type: 'imBack', title: '٥ (راضٍ جدًا)', value: '٥' }] },
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { body: [{ type: 'FactSet', facts: [{ title: 'فرد الأسرة', value: 'منى (زوجة، هوية 2*****5437)' }] }], actions: [{ type: 'Action.Submit', title: 'تأكيد', data: { value: '٢' } }] } }],
    });
    expect(out.text).toBe('اختر رقمًا من 1 إلى 5');
    expect(out.suggestedActions?.actions[0]).toMatchObject({ title: '5 (راضٍ جدًا)', value: '٥' });
    const content = out.attachments?.[0]?.content as { body: Array<{ facts: Array<{ value: string }> }>; actions: Array<{ data: { value: string } }> };
    expect(content.body[0]?.facts[0]?.value).toBe(`منى (زوجة، هوية ${iso('2*****5437')})`);
    expect(content.actions[0]?.data.value).toBe('٢');
  });

  it('leaves non-message activities as they are', () => {
    const typing = { type: 'typing', text: '٥' };
    expect(presentActivity(typing)).toBe(typing);
  });
});

describe('presentationProblems (the checker the suites run)', () => {
  it('fails a message that mixes digit systems across its text and buttons', () => {
    expect(presentationProblems({ type: 'message', text: 'اختر من ١ إلى ٥', suggestedActions: { to: [], actions: [{ type: 'imBack', title: '1', value: '1' }] } })).toHaveLength(1);
    expect(presentationProblems({ type: 'message', text: 'حتى ٥ ميجابايت و5 ملفات' })[0]).toMatch(/mixes digit systems/);
  });

  it('fails an unisolated masked value or date, and passes once presented', () => {
    const bad = { type: 'message', text: 'جوالك 05******12 حتى 2026-12-05' };
    expect(unisolatedValuesIn(bad.text)).toEqual(['05******12', '2026-12-05']);
    expect(presentationProblems(bad)).toHaveLength(2);
    expect(presentationProblems(presentActivity(bad))).toEqual([]);
  });
});
