/**
 * What the recognizer makes of messages people send that are not plain requests: another
 * authority's business, a greeting to return, a language merely mentioned, a long story that
 * asks at the end, Arabizi.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createRecognizer, type MusaedRecognizer } from '../../dialogs/understanding/recognizer';
import { greetingOf } from '../../dialogs/understanding/greetingReturn';

let r: MusaedRecognizer;
beforeAll(() => {
  r = createRecognizer();
});

describe('another authority', () => {
  it.each([
    ['عندي مخالفة ساهر كيف اسددها', 'traffic'],
    ['how do I renew my driving licence', 'traffic'],
    ['ابغى تاشيرة زياره لاختي', 'visit_visa'],
    ['help me with my frozen card', 'bank'],
    ['ساعدني في بطاقتي الموقوفة', 'bank'],
    ['cancel my credit card', 'bank'],
    ['صار لي حادث وابي تقرير نجم', 'najm'],
  ])('%s → out of scope, %s', (text, where) => {
    const u = r.recognize(text);
    expect(u.intent).toBe('none');
    expect(u.elsewhere).toBe(where);
  });

  it('stays in scope when Jawazat business is named too', () => {
    expect(r.recognize('ابي اجدد اقامة ولدي وعليه مخالفات مرورية').elsewhere).toBeUndefined();
    expect(r.recognize('كيف افعل حسابي في ابشر عن طريق البنك').elsewhere).toBeUndefined();
    expect(r.recognize('status of my exit re-entry visa 400000104').intent).toBe('status.check');
  });
});

describe('language switch only on a clear request', () => {
  it('a language mentioned about a name is not a switch', () => {
    expect(r.recognize('اسمي بالانجليزي مكتوب غلط').intent).not.toMatch(/^language/);
    expect(r.recognize('my name in arabic is spelled wrong').intent).not.toMatch(/^language/);
  });
  it('a request to continue in a language is', () => {
    expect(r.recognize('can you continue in English please').intent).toBe('language.en');
    expect(r.recognize('ممكن تكمل معي بالعربي').intent).toBe('language.ar');
    expect(r.recognize('انجلزي').intent).toBe('language.en');
  });
});

describe('long messages', () => {
  it('a long story ending in a request is that request, with entities from the whole text', () => {
    const story =
      'السلام عليكم، انا مقيم من سنين طويلة في الدمام واشتغل في شركة صيانة، وزوجتي معي من اربع سنين، ' +
      'وقبل فترة جددنا جوازها من السفارة وسافرنا اجازة ورجعنا، وانشغلت بالدوام والعيال ونسيت كل شي، ' +
      'وامس جتني رسالة ان اقامتها قربت تخلص وخفت من الغرامة وسألت الربع وكل واحد قال شي. المهم، أبي أجدد إقامة زوجتي الحين';
    const u = r.recognize(story);
    expect(u.intent).toBe('iqama.renew');
    expect(u.entities.relation).toBe('wife');
  });
});

describe('greetings returned in kind', () => {
  it.each([
    ['السلام عليكم', 'salam'],
    ['السلام عليكم، وش صار على طلبي', 'salam'],
    ['صباح الخير', 'morning'],
    ['مساء الخير ياخوي', 'evening'],
    ['hi', 'hello'],
    ['hello, status please', 'hello'],
  ])('%s → %s', (text, kind) => expect(greetingOf(text)).toBe(kind));
  it('no greeting, no return', () => {
    expect(greetingOf('ابي اجدد اقامة')).toBeUndefined();
    expect(greetingOf('history of my requests')).toBeUndefined();
  });
});

describe('Arabizi', () => {
  it('"wesh ya3ni qydt" is the question about «قيدت»', () => {
    const u = r.recognize('wesh ya3ni qydt');
    expect(u).toMatchObject({ intent: 'faq', faq: 'transaction_recorded' });
  });
});
