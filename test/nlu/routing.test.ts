/**
 * The trained recognizer behind the main dialog over real HTTP and Redis: what people type in
 * MSA, Gulf dialect, Arabizi, English and a mix reaches the right place, and what is not ours
 * is told so rather than answered with a confident guess.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { say, texts } from '../helpers/http';
import { startApp } from '../helpers/app';
import { createRecognizer } from '../../dialogs/understanding/recognizer';
import { createTranslator } from '../../bot/i18n';
import type { App } from '../../bot/app';
import type { Lang } from '../../dialogs/understanding/normalize';

const { t } = createTranslator();
const answer = (lang: Lang, id: string) => t(lang, `faq:${id}.answer`).slice(0, 50);

/** [user says, language of the reply, the reply contains] */
const CASES: Array<[string, Lang, () => string]> = [
  ['وش معنى قيدت؟', 'ar', () => answer('ar', 'transaction_recorded')],
  ['wesh ma3na qayyadat', 'ar', () => answer('ar', 'transaction_recorded')],
  ['كيف أحجز موعداً في الجوازات', 'ar', () => answer('ar', 'appointment')],
  ['ابي اعرف شروط تجديد اقامة زوجتي', 'ar', () => answer('ar', 'iqama_requirements')],
  ['ضاع جوازي وانا مسافر وش اسوي', 'ar', () => answer('ar', 'lost_documents')],
  ['ابي اصدر تصريح سفر لولدي', 'ar', () => answer('ar', 'travel_permit')],
  ['how do I book an appointment at the passports office?', 'en', () => answer('en', 'appointment')],
  ['what does the status "recorded" mean', 'en', () => answer('en', 'transaction_recorded')],
  ['is my data safe with you', 'en', () => answer('en', 'data_security')],
  ['I renewed my passport, update it in the system', 'en', () => answer('en', 'passport_info_update')],
  ['كم سعر الذهب اليوم', 'ar', () => t('ar', 'notUnderstood.first')],
  ["what's the weather in Riyadh tomorrow", 'en', () => t('en', 'notUnderstood.first')],
  // No agent is signed in here: the handoff dialog says so and offers Tawasul instead.
  ['ابي اكلم موظف', 'ar', () => t('ar', 'handoff:unavailable.noAgents')],
];

describe('understanding behind the main dialog (real HTTP, real Redis)', () => {
  let app: App & { baseUrl: string };
  beforeAll(async () => {
    app = await startApp(
      { REDIS_URL: 'redis://127.0.0.1:6379/1', REDIS_KEY_PREFIX: `t:nlu:${Date.now()}:` },
      { recognizer: createRecognizer() },
    );
  });
  afterAll(async () => {
    const keys = await app.redis.keys(`${app.config.REDIS_KEY_PREFIX}*`);
    if (keys.length) await app.redis.del(...keys);
    await app.close();
  });

  it.each(CASES)('%s', async (text, lang, expected) => {
    const conversation = `nlu-${Math.random().toString(36).slice(2)}`;
    const locale = lang === 'ar' ? 'ar-SA' : 'en-US';
    await say(app.baseUrl, conversation, lang === 'ar' ? 'السلام عليكم' : 'hello', { locale });
    const replies = texts(await say(app.baseUrl, conversation, text, { locale })).join('\n');
    expect(replies).toContain(expected());
  });

  it('asks "did you mean" only for a genuinely two-way message and never for a clear one', async () => {
    const recognizer = createRecognizer();
    expect(recognizer.recognize('وش صار على طلبي ٤٠٠ ٠٠٠ ١٠١؟')).toMatchObject({ intent: 'status.check', entities: { requestNumber: '400000101' } });
    expect(recognizer.recognize('renew my wife iqama please يا اخوي')).toMatchObject({ intent: 'iqama.renew', entities: { relation: 'wife' } });
    expect(recognizer.recognize('ابي ارفع طلب تواصل')).toMatchObject({ intent: 'tawasul.create' });
    expect(recognizer.recognize('ابي ارفع طلب تواصل').alternative).toBeUndefined();
  });
});
