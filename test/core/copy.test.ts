/**
 * Copy that must say one thing in one way wherever it appears, and Arabic agreement with the
 * family member described.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTranslator } from '../../bot/i18n';
import { genderOf } from '../../dialogs/format/gender';
import { formatDependents } from '../../dialogs/status/format';
import type { Dependent } from '../../adapters/services/types';

const { t } = createTranslator();
const LANGS = ['ar', 'en'] as const;

describe('one explanation per fact', () => {
  it('«قيدت» reads the same in the status reply, the Tawasul ticket and the FAQ, and says what seed 002 says', () => {
    for (const lang of LANGS) {
      const faq = t(lang, 'faq:transaction_recorded.answer');
      expect(t(lang, 'status:explain.recorded')).toBe(faq);
      expect(t(lang, 'tawasulTrack:explain.recorded')).toBe(faq);
    }
    const seed = readFileSync('/work/shared/seeds/002_2274e5b6233f18ff.txt', 'utf8');
    expect(seed).toContain('تعني تم إثباتها وتسجيلها');
    expect(t('ar', 'faq:transaction_recorded.answer')).toContain('إثباتها وتسجيلها');
  });

  it('a Tawasul ticket that needs information gets the same instruction from the status lookup and the ticket view', () => {
    for (const lang of LANGS) {
      const instruction = t(lang, 'status:explain.needsInfoTawasul', { number: '700000101' });
      expect(t(lang, 'tawasulTrack:explain.needs_info', { number: '700000101' }).endsWith(instruction)).toBe(true);
    }
  });

  it('the fee answer quotes no amount: it says where the amount is shown', () => {
    for (const lang of LANGS) expect(t(lang, 'faq:iqama_fees.answer')).not.toMatch(/\d/);
  });
});

describe('agreement with the family member described', () => {
  const person = (relationship: Dependent['relationship'], en: string, ar: string) => ({ relationship, relationshipLabel: { en, ar } });

  it('takes the gender from the relation (a spouse from the label)', () => {
    expect(genderOf(person('daughter', 'Daughter', 'ابنة'))).toBe('female');
    expect(genderOf(person('mother', 'Mother', 'الأم'))).toBe('female');
    expect(genderOf(person('son', 'Son', 'ابن'))).toBe('male');
    expect(genderOf(person('spouse', 'Wife', 'زوجة'))).toBe('female');
    expect(genderOf(person('spouse', 'Husband', 'زوج'))).toBe('male');
  });

  it('a citizen daughter is «مواطنة سعودية، لا تحمل إقامة», a son «مواطن سعودي، لا يحمل إقامة»', () => {
    const citizen = (name: string, relationship: Dependent['relationship'], label: { ar: string; en: string }): Dependent =>
      ({ id: name, name: { ar: name, en: name }, relationship, relationshipLabel: label, iqama: null }) as unknown as Dependent;
    const text = formatDependents(t, 'ar', [citizen('ريم', 'daughter', { ar: 'ابنة', en: 'Daughter' }), citizen('سعد', 'son', { ar: 'ابن', en: 'Son' })], new Date());
    expect(text).toContain('• ريم (ابنة): مواطنة سعودية، لا تحمل إقامة');
    expect(text).toContain('• سعد (ابن): مواطن سعودي، لا يحمل إقامة');
  });

  it('the number of reasons picks the Arabic form: one, two, several', () => {
    const intro = (count: number) => t('ar', 'iqama:notEligible', { name: 'منى', reasons: '', count });
    expect(intro(1)).toContain('للسبب التالي:');
    expect(intro(2)).toContain('للسببين التاليين:');
    expect(intro(3)).toContain('للأسباب التالية:');
  });
});
