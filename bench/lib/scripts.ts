/**
 * What each conversation says, turn after turn, during a load cell. A script is a table:
 * each request of a conversation takes its next step (and wraps around), and the reply must
 * contain the step's expected fragment, or the turn counts as "unexpected". Steps that
 * cannot run yet stay in the table as pending, and the run prints them as TODO, so the
 * product's figures never silently leave out part of the mix.
 */
import { createTranslator } from '../../bot/i18n';

/** One value for every conversation, or one per conversation number (modulo the length). */
export type PerConversation = string | readonly string[];

export const pick = (value: PerConversation, conversation: number): string =>
  typeof value === 'string' ? value : (value[conversation % value.length] ?? '');

export interface Step {
  name: string;
  text: PerConversation;
  locale: 'ar-SA' | 'en-US';
  /** A fragment the raw JSON reply must contain (JSON-escaped, so keep it to one line). */
  expect: PerConversation;
}

export interface PendingStep {
  name: string;
  /** Why it is not in the mix yet, and what to do when it can be. */
  todo: string;
}

export interface Script {
  name: string;
  steps: Step[];
  pending: PendingStep[];
  /**
   * Each conversation runs the steps once and a new conversation takes its place. Needed
   * when a step changes what later rounds would see (a verified session skips the ID step).
   */
  once?: boolean;
}

/** The fragment as it appears inside a JSON string: the first line, at most 24 characters. */
function fragment(text: string): string {
  return JSON.stringify(text.split('\n')[0].slice(0, 24)).slice(1, -1);
}

const { t } = createTranslator();

/** The simulator's demo identities (sim/README.md): ID number, a request of theirs, another one. */
const IDENTITIES = [
  ['2345678904', '400000101', '400000104'],
  ['2100398474', '700000102', '400000102'],
  ['1104837263', '400000103', '700000104'],
] as const;
const OTP = '123456'; // SIM_OTP_CODE's default, which the bench keeps

export const PRODUCT_SCRIPT: Script = {
  name: 'product',
  once: true,
  steps: [
    // First contact is the welcome; it shows the menu.
    { name: 'greeting', text: 'السلام عليكم', locale: 'ar-SA', expect: fragment(t('ar', 'menu.renew')) },
    { name: 'faq (ar)', text: 'كيف أجدد جواز السفر؟', locale: 'ar-SA', expect: fragment(t('ar', 'faq:passport_renewal.answer')) },
    // A status lookup with verification, one demo identity per conversation, against the
    // services simulator over HTTP: the router, the status dialog, the identity step.
    { name: 'status (asks for ID)', text: IDENTITIES.map(([, first]) => `وش صار على طلبي ${first}؟`), locale: 'ar-SA', expect: fragment(t('ar', 'verify:askId')) },
    { name: 'ID → code sent', text: IDENTITIES.map(([id]) => id), locale: 'ar-SA', expect: fragment(t('ar', 'verify:askCode', { mobile: '' })) },
    { name: 'code → status', text: OTP, locale: 'ar-SA', expect: IDENTITIES.map(([, first]) => first) },
    { name: 'verified lookup', text: IDENTITIES.map(([, , second]) => `وش صار على طلبي ${second}؟`), locale: 'ar-SA', expect: IDENTITIES.map(([, , second]) => second) },
    // "Menu" leaves whatever is open, as people do.
    { name: 'menu', text: 'القائمة', locale: 'ar-SA', expect: fragment(t('ar', 'menu.prompt')) },
    { name: 'faq (en)', text: 'how can i renew my passport', locale: 'en-US', expect: fragment(t('en', 'faq:passport_renewal.answer')) },
  ],
  pending: [],
};

export interface ProbeTurn {
  step: string;
  text: string;
  expect: string;
}

/**
 * Verified status lookups, one conversation per demo identity (sim/README.md), one turn at a
 * time: the request, the ID number, the one-time code (then the answer), and a second lookup
 * on the verified session. Three identities use three of the simulator's challenges.
 */
export const STATUS_PROBE: ProbeTurn[][] = IDENTITIES.map(([id, first, second]) => [
  { step: 'request → asks for ID', text: `وش صار على طلبي ${first}؟`, expect: fragment(t('ar', 'verify:askId')) },
  { step: 'ID → code sent', text: id, expect: fragment(t('ar', 'verify:askCode', { mobile: '' })) },
  { step: 'code → verified answer', text: OTP, expect: first },
  { step: 'verified lookup', text: `وش صار على طلبي ${second}؟`, expect: second },
]);

/** Anchor bots: one step, any text; the echo carries it back. */
export const ECHO_SCRIPT: Script = {
  name: 'echo',
  steps: [{ name: 'echo', text: 'مرحبا', locale: 'ar-SA', expect: fragment('echo: مرحبا') }],
  pending: [],
};

export const FIXED_SCRIPT: Script = {
  name: 'fixed',
  steps: [{ name: 'fixed', text: 'مرحبا', locale: 'ar-SA', expect: '"text":"ok"' }],
  pending: [],
};
