import { describe, expect, it } from 'vitest';
import { parseInteger, parseOrdinal, parseYesNo } from '../../dialogs/understanding/answers';

describe('yes/no', () => {
  it.each([
    ['نعم', true], ['اي', true], ['ايوه', true], ['أكيد', true], ['تمام', true], ['نعم صحيح', true], ['👍', true],
    ['yes please', true], ['yep', true], ['Sure!', true],
    ['لا', false], ['لأ', false], ['مو', false], ['لا شكرا', false], ['no', false], ['nope', false], ['not now', false],
  ])('%s → %s', (text, expected) => expect(parseYesNo(text)).toBe(expected));

  it.each(['ابي اجدد اقامة زوجتي', 'نعم لا', 'maybe', ''])('%s is not an answer', (text) => expect(parseYesNo(text)).toBeUndefined());
});

describe('list positions', () => {
  it.each([
    ['2', 2], ['٢', 2], ['رقم ٣', 3], ['الثاني', 2], ['الثانية', 2], ['الأول', 1], ['العاشر', 10],
    ['the second', 2], ['second one', 2], ['#3', 3], ['3rd', 3], ['الأخير', -1],
  ])('%s → %s', (text, expected) => expect(parseOrdinal(text)).toBe(expected));

  it.each(['ابي الثاني والثالث', 'renew my iqama', '0'])('%s is not one position', (text) => expect(parseOrdinal(text)).toBeUndefined());
});

describe('whole numbers', () => {
  it.each([
    ['12', 12], ['١٢', 12], ['12 شهر', 12], ['ستة', 6], ['ست شهور', 6], ['twelve', 12], ['6 months', 6], ['اثنا عشر شهرا', 12],
  ])('%s → %s', (text, expected) => expect(parseInteger(text)).toBe(expected));

  it('is undefined without a number', () => expect(parseInteger('ما ادري')).toBeUndefined());
});
