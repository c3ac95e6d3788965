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
    { name: 'menu', text: 'القائمة', locale: 'ar-SA', expect: fragment(t('ar', 'menu.prompt')) },
    { name: 'faq (en)', text: 'how can i renew my passport', locale: 'en-US', expect: fragment(t('en', 'faq:passport_renewal.answer')) },
  ],
  pending: [
    {
      name: 'status lookup with verification',
      todo:
        'the status dialog (issue #4) has not landed: "متابعة طلب" answers menu.notYet. When it lands, add its turns here ' +
        '(e.g. "وش صار على طلبي 400000101؟" → ID 2345678904 → code 123456 → reply mentions قيدت) and note that the simulator ' +
        'allows 5 identity challenges per ID per 15 minutes, so each pooled conversation must verify once and then loop lookups only.',
    },
  ],
};

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

/** The text a missing feature answers with, to tell "pending" from "broken" at run time. */
export const NOT_YET = fragment(t('ar', 'menu.notYet'));
export const STATUS_MENU_TITLE = t('ar', 'menu.status');
