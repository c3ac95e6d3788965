/**
 * Saudi ID numbers: 10 digits, first digit 1 (citizen) or 2 (resident), Luhn-style check
 * digit (digits at even 0-based positions doubled, digit sums added, total % 10 = 0).
 */
import { toAsciiDigits } from './normalize';

export type IdKind = 'citizen' | 'resident';

/** Strips spaces, dashes and dots and converts Arabic-Indic digits; does not validate. */
export function compactDigits(text: string): string {
  return toAsciiDigits(text).replace(/[\s\-.\u00a0]/g, '');
}

export function hasValidCheckDigit(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export type IdCheck =
  | { ok: true; id: string; kind: IdKind }
  | { ok: false; reason: 'length' | 'prefix' | 'checksum' | 'not_digits' };

/** Validates what a person typed as an ID number and says why it is wrong when it is. */
export function checkIdNumber(input: string): IdCheck {
  const id = compactDigits(input);
  if (!/^\d+$/.test(id)) return { ok: false, reason: 'not_digits' };
  if (id.length !== 10) return { ok: false, reason: 'length' };
  if (id[0] !== '1' && id[0] !== '2') return { ok: false, reason: 'prefix' };
  if (!hasValidCheckDigit(id)) return { ok: false, reason: 'checksum' };
  return { ok: true, id, kind: id[0] === '1' ? 'citizen' : 'resident' };
}

/** "******8904": only the last four digits are shown to people and agents. */
export function maskId(id: string): string {
  return id.length <= 4 ? id : '*'.repeat(id.length - 4) + id.slice(-4);
}
