/**
 * The interpreter's additions for the family tasks, pure: a passport-number step reads the
 * number out of a sentence (either digit set, letters in any case) and never takes an ID
 * number for one; corrections of dates and a passport number apply only to the field named,
 * so two dates are never confused.
 */
import { describe, expect, it } from 'vitest';
import { findPassportNumber, readStep } from '../../dialogs/interpret/read';
import type { CorrectableField, Expectation } from '../../dialogs/interpret/expectation';
import { namedIn } from '../../dialogs/iqama/ask';

const issue: CorrectableField = { name: 'issueDate', words: ['تاريخ الاصدار', 'issue date'], value: 'date', needsName: true };
const expiry: CorrectableField = { name: 'expiryDate', words: ['تاريخ الانتهاء', 'expiry date'], value: 'date', needsName: true };
const number: CorrectableField = { name: 'passportNumber', words: ['رقم الجواز', 'passport number'], value: 'passport', needsName: true };

describe('passport numbers', () => {
  it.each([
    ['رقم جوازي الجديد A30512269', 'A30512269'],
    ['z 4471290', 'Z4471290'],
    ['a٣٠٥١٢٢٦٩', 'A30512269'],
  ])('%s → %s', (text, expected) => {
    expect(findPassportNumber(text)).toBe(expected);
    expect(readStep(text, { kind: 'number', number: 'passport' })).toEqual({ type: 'answer', value: expected });
  });

  it('an ID number or a date is not a passport number', () => {
    expect(findPassportNumber('2345678904')).toBeUndefined();
    expect(findPassportNumber('15/03/2026')).toBeUndefined();
  });
});

describe('corrections told apart by the field named', () => {
  const atCountry: Expectation = { kind: 'choice', options: [{ value: 'confirm', names: ['تأكيد'] }], fields: [number, issue, expiry] };

  it('«تاريخ الانتهاء 14/03/2036» corrects the expiry date, not the issue date', () => {
    expect(readStep('تاريخ الانتهاء 14/03/2036', atCountry)).toEqual({ type: 'correction', field: 'expiryDate', value: '2036-03-14' });
  });

  it('"the issue date is wrong, it is 1 March 2026" corrects the issue date', () => {
    expect(readStep('the issue date is wrong, it is 1 March 2026', atCountry)).toEqual({ type: 'correction', field: 'issueDate', value: '2026-03-01' });
  });

  it('«رقم الجواز غلط، الصحيح A30999777» corrects the number', () => {
    expect(readStep('رقم الجواز غلط، الصحيح A30999777', atCountry)).toEqual({ type: 'correction', field: 'passportNumber', value: 'A30999777' });
  });

  it('a date that names no field is not taken as a correction', () => {
    expect(readStep('غلط 14/03/2036', atCountry)).toBeUndefined();
  });
});

describe('a member named with the preposition joined', () => {
  it('«تصريح لسعد» names Saad', () => {
    const family = [{ name: { ar: 'سعد عبدالله', en: 'Saad Abdullah' } }, { name: { ar: 'ريم عبدالله', en: 'Reem Abdullah' } }];
    expect(namedIn('ابي تصريح سفر لسعد', family)).toEqual([family[0]]);
  });
});
