import { describe, expect, it } from 'vitest';
import { maskPii, textForStorage } from '../../bot/privacy/mask';

describe('maskPii: what people type that must not be kept in clear', () => {
  it('masks Saudi IBANs with and without spaces, in both digit sets', () => {
    for (const iban of ['SA0380000000608010167519', 'SA03 8000 0000 6080 1016 7519', 'sa0380000000608010167519', 'SA٠٣٨٠٠٠٠٠٠٠٦٠٨٠١٠١٦٧٥١٩']) {
      const out = maskPii(`ايباني ${iban} شكرا`);
      expect(out).not.toMatch(/80000000|6080|8000 0000/);
      expect(out).not.toMatch(/٦٠٨٠١٠/);
      expect(out).toMatch(/^ايباني SA\*+(7519|٧٥١٩) شكرا$/);
    }
  });

  it('masks passport numbers (letters and digits)', () => {
    expect(maskPii('my passport is A28841937')).toBe('my passport is A******37');
    expect(maskPii('جوازي Z4471290 ورقم')).not.toContain('4471290');
    expect(maskPii('BK8841026')).not.toContain('8841026');
    // request numbers, dates and short words with digits stay readable
    expect(maskPii('request 400000101 on 2026-11-23, v3')).toBe('request 400000101 on 2026-11-23, v3');
  });

  it('masks one-time codes near code words in Arabic and English, any digit set', () => {
    expect(maskPii('the code is 654321')).toBe('the code is ******');
    expect(maskPii('OTP: 1234')).toBe('OTP: ******');
    expect(maskPii('رمز التحقق ٦٥٤٣٢١')).toBe('رمز التحقق ******');
    expect(maskPii('الكود حقي 98765432')).toBe('الكود حقي ******');
    expect(maskPii('654321 هو الرمز')).toBe('****** هو الرمز');
    // without a code word, a short number is not a code...
    expect(maskPii('I have 3 kids and 1234 riyals')).toBe('I have 3 kids and 1234 riyals');
    // ...unless the conversation is at the code step
    expect(maskPii('654321', { codeStep: true })).toBe('******');
    expect(maskPii('٦٥٤٣ ٢١', { codeStep: true })).not.toMatch(/٦٥٤٣/);
  });

  it('still masks ID numbers and mobiles as before', () => {
    expect(maskPii('هوية 2345678904 وجوال 0551234567')).toBe('هوية 2*****8904 وجوال 05******67');
  });

  it('stores a marker and the length instead of a text over the cap', () => {
    const long = 'x'.repeat(126_000);
    expect(textForStorage(long, 2000)).toBe('[not stored: 126000 characters]');
    expect(textForStorage('A28841937', 2000)).toBe('A******37');
  });
});
