import { describe, expect, it } from 'vitest';
import { extractEntities } from '../../dialogs/understanding/entities';
import type { Entities } from '../../dialogs/understanding/types';

const NOW = new Date('2026-11-23T09:00:00Z');

// [text, expected subset of entities]
const CASES: Array<[string, Partial<Entities>]> = [
  ['رقم هويتي 2345678904', { idNumber: '2345678904' }],
  ['٢٣٤٥ ٦٧٨ ٩٠٤', { idNumber: '2345678904' }],
  ['my iqama 2345-678-904', { idNumber: '2345678904' }],
  ['2345678905', { requestNumber: '2345678905' }], // bad check digit: not an ID
  ['وش صار على طلبي 12345؟', { requestNumber: '12345' }],
  ['طلب رقم ٤٠٠ ٠٠٠ ١٠١', { requestNumber: '400000101' }],
  ['status of 700-000-104 please', { requestNumber: '700000104' }],
  ['جوالي 0551234567', { mobile: '+966551234567' }],
  ['+966 55 123 4567', { mobile: '+966551234567' }],
  ['966551234567', { mobile: '+966551234567' }],
  ['2026-12-05', { date: { iso: '2026-12-05', calendar: 'gregorian' } }],
  ['5/12/2026', { date: { iso: '2026-12-05', calendar: 'gregorian' } }],
  ['٥ ديسمبر ٢٠٢٦', { date: { iso: '2026-12-05', calendar: 'gregorian' } }],
  ['December 5, 2026', { date: { iso: '2026-12-05', calendar: 'gregorian' } }],
  ['1448/06/15 هـ', { date: { iso: '2026-11-25', calendar: 'hijri' } }],
  ['15 جمادى الآخرة 1448', { date: { iso: '2026-11-25', calendar: 'hijri' } }],
  ['بعد ثلاثة أيام', { date: { iso: '2026-11-26', calendar: 'gregorian' } }],
  ['in three days', { date: { iso: '2026-11-26', calendar: 'gregorian' } }],
  ['بكرة', { date: { iso: '2026-11-24', calendar: 'gregorian' } }],
  ['next Tuesday', { date: { iso: '2026-12-01', calendar: 'gregorian' } }],
  ['two weeks from now', { date: { iso: '2026-12-07', calendar: 'gregorian' } }],
  ['on the 5th of December', { date: { iso: '2026-12-05', calendar: 'gregorian' } }],
  ['سنتين', { months: 24 }],
  ['12 شهر', { months: 12 }],
  ['six months', { months: 6 }],
  ['الثاني', { ordinal: 2 }],
  ['the second', { ordinal: 2 }],
  ['ايوه', { yesNo: true }],
  ['لأ', { yesNo: false }],
  ['مو', { yesNo: false }],
  ['جدد اقامة زوجتي', { relation: 'wife' }],
  ["renew my son's iqama", { relation: 'son' }],
  ['بنتي', { relation: 'daughter' }],
];

describe('entities', () => {
  it.each(CASES)('%s', (text, expected) => {
    expect(extractEntities(text, NOW)).toMatchObject(expected);
  });

  it('finds nothing personal where there is none', () => {
    const e = extractEntities('كيف اجدد الاقامه', NOW);
    expect(e.idNumber ?? e.requestNumber ?? e.mobile ?? e.date).toBeUndefined();
  });

  it('does not read yes/no or ordinals into long sentences', () => {
    const e = extractEntities('لا اعرف كيف اجدد اقامة الزوجة الثانية في ابشر اليوم', NOW);
    expect(e.yesNo).toBeUndefined();
  });
});
