/**
 * What each conversation says, turn after turn, during a load cell. A script is a table:
 * each request of a conversation takes its next step (and wraps around), and the reply must
 * contain the step's expected fragment, or the turn counts as "unexpected". Steps that
 * cannot run yet stay in the table as pending, and the run prints them as TODO, so the
 * product's figures never silently leave out part of the mix.
 */
import { createTranslator } from '../../bot/i18n';

export interface Step {
  name: string;
  text: string;
  locale: 'ar-SA' | 'en-US';
  /** A fragment the raw JSON reply must contain (JSON-escaped, so keep it to one line). */
  expect: string;
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
}

/** The fragment as it appears inside a JSON string: the first line, at most 24 characters. */
function fragment(text: string): string {
  return JSON.stringify(text.split('\n')[0].slice(0, 24)).slice(1, -1);
}

const { t } = createTranslator();

export const PRODUCT_SCRIPT: Script = {
  name: 'product',
  steps: [
    // First contact is the welcome; later rounds get the greeting reply. Both show the menu.
    { name: 'greeting', text: 'السلام عليكم', locale: 'ar-SA', expect: fragment(t('ar', 'menu.renew')) },
    { name: 'faq (ar)', text: 'كيف أجدد جواز السفر؟', locale: 'ar-SA', expect: fragment(t('ar', 'faq:passport_renewal.answer')) },
    // A status lookup as far as the identity check: the router, the status dialog, the prompt.
    { name: 'status (asks for ID)', text: 'وش صار على طلبي 400000101؟', locale: 'ar-SA', expect: fragment(t('ar', 'verify:askId')) },
    // "Menu" in the middle of the task leaves it, as people do.
    { name: 'menu', text: 'القائمة', locale: 'ar-SA', expect: fragment(t('ar', 'menu.prompt')) },
    { name: 'faq (en)', text: 'how can i renew my passport', locale: 'en-US', expect: fragment(t('en', 'faq:passport_renewal.answer')) },
  ],
  pending: [
    {
      name: 'status lookup with verification under load',
      todo:
        'the ID → code → answer turns are measured at C=1 only (the status probe): the simulator allows 5 identity challenges ' +
        'per ID per 15 minutes (sim/store.ts MAX_CHALLENGES_PER_WINDOW) and the product 10 lookups per user per 10 minutes ' +
        '(dialogs/statusLookupDialog.ts DEFAULT_LOOKUP_LIMIT), while a run opens ~600 conversations; make both configurable ' +
        '(an env read by createSimulator and by the status dialog) and these turns can join the load mix.',
    },
  ],
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
export const STATUS_PROBE: ProbeTurn[][] = [
  ['2345678904', '400000101', '400000104'],
  ['2100398474', '700000102', '400000102'],
  ['1104837263', '400000103', '700000104'],
].map(([id, first, second]) => [
  { step: 'request → asks for ID', text: `وش صار على طلبي ${first}؟`, expect: fragment(t('ar', 'verify:askId')) },
  { step: 'ID → code sent', text: id, expect: fragment(t('ar', 'verify:askCode', { mobile: '' })) },
  { step: 'code → verified answer', text: '123456', expect: first },
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
