/**
 * The one masking function for personal data, used by the logger and by every store the bot
 * writes (Direct Line activity lists, transcripts, handoff records and relay, ratings).
 * It masks ID numbers, Saudi mobiles, IBANs, passport numbers, one-time codes near code words,
 * bearer tokens and long secrets, in ASCII, Arabic-Indic and Persian digits.
 */

// Digits in any of the sets people type (ASCII, Arabic-Indic, Persian), with the spaces or
// dashes they put between groups: "٢٣٤٥ ٦٧٨ ٩٠٤" is an ID number as much as "2345678904".
const D = '0-9\u0660-\u0669\u06f0-\u06f9';
const DIGIT = `[${D}]`;
const SEP = '[ \\-]?';
const NOT_AFTER_DIGIT = `(?<![${D}*])`;
const NOT_BEFORE_DIGIT = `(?![${D}])`;
const ID_NUMBER = new RegExp(`${NOT_AFTER_DIGIT}[12\u0661\u0662\u06f1\u06f2](?:${SEP}${DIGIT}){9}${NOT_BEFORE_DIGIT}`, 'g');
const SAUDI_MOBILE = new RegExp(`${NOT_AFTER_DIGIT}(?:\\+?966${SEP}|00966${SEP}|[0\u0660\u06f0])?[5\u0665\u06f5](?:${SEP}${DIGIT}){8}${NOT_BEFORE_DIGIT}`, 'g');
/** Saudi IBAN: SA + 22 digits, in groups of four or run together. */
const IBAN = new RegExp(`(?<![A-Za-z])[Ss][Aa]${SEP}(?:${DIGIT}${SEP}){21}${DIGIT}${NOT_BEFORE_DIGIT}`, 'g');
/** Passport numbers: one or two letters and 6 to 9 digits ("A28841937", "Z4471290"). */
const PASSPORT = new RegExp(`(?<![A-Za-z${D}])[A-Za-z]{1,2}${DIGIT}{6,9}${NOT_BEFORE_DIGIT}`, 'g');
/** Words that say a number is a one-time code, in the forms people type them. */
const CODE_WORD = '(?:رمز|كود|التحقق|\\b(?:otp|code|pin|passcode)\\b)';
const CODE_RUN = `${NOT_AFTER_DIGIT}${DIGIT}{4,8}${NOT_BEFORE_DIGIT}`;
const CODE_AFTER_WORD = new RegExp(`(?<=${CODE_WORD}[^${D}\\n]{0,25})${CODE_RUN}`, 'giu');
const CODE_BEFORE_WORD = new RegExp(`${CODE_RUN}(?=[^${D}\\n]{0,15}${CODE_WORD})`, 'giu');
const ANY_CODE = new RegExp(CODE_RUN, 'g');
const compact = (m: string) => m.replace(/[ -]/g, '');
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
const LONG_SECRET = /\b[A-Za-z0-9_-]{32,}\b/g;
const CODE_MASK = '******';

export interface MaskOptions {
  /** The conversation is at a one-time-code step: every 4–8 digit run is a code. */
  codeStep?: boolean;
}

/** Masks ID numbers (last four kept), mobiles (last two kept), IBANs and passports (last kept), codes, tokens and long secrets. */
export function maskPii(text: string, options: MaskOptions = {}): string {
  const masked = text
    .replace(BEARER, '$1[redacted]')
    .replace(LONG_SECRET, '[redacted]')
    .replace(IBAN, (m) => `SA**${'*'.repeat(16)}${compact(m).slice(-4)}`)
    .replace(ID_NUMBER, (m) => {
      const digits = compact(m);
      return `${digits[0] ?? ''}*****${digits.slice(-4)}`;
    })
    .replace(SAUDI_MOBILE, (m) => `05******${compact(m).slice(-2)}`)
    .replace(PASSPORT, (m) => `${m[0] ?? ''}${'*'.repeat(m.length - 3)}${m.slice(-2)}`)
    .replace(CODE_AFTER_WORD, CODE_MASK)
    .replace(CODE_BEFORE_WORD, CODE_MASK);
  return options.codeStep ? masked.replace(ANY_CODE, CODE_MASK) : masked;
}

/** What is stored instead of a text longer than the cap: a marker with its length, nothing of its content. */
export function omittedMarker(length: number): string {
  return `[not stored: ${length} characters]`;
}

/** A text as it may be kept at rest: capped (over maxChars only a marker is kept), then masked. */
export function textForStorage(text: string, maxChars: number, options: MaskOptions = {}): string {
  return text.length > maxChars ? omittedMarker(text.length) : maskPii(text, options);
}

/**
 * Set in the channelData of a prompt whose answer is a secret (a one-time code): a channel
 * that keeps its own copy of messages masks the next user message as at a code step.
 */
export const SECRET_ANSWER_MARK = 'musaedSecretAnswer';
