import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { say, texts, buttons } from '../helpers/http';
import { startApp } from '../helpers/app';
import { ruleRecognizer } from '../helpers/ruleRecognizer';
import { AskNameDialog } from '../fixtures/askNameDialog';
import type { App } from '../../bot/app';

/** [user says, reply must contain, buttons must include (optional)] */
type Step = [string, string | RegExp, string[]?];

async function run(app: App & { baseUrl: string }, conversation: string, steps: Step[], locale = 'ar-SA') {
  for (const [userSays, expected, expectedButtons] of steps) {
    const replies = await say(app.baseUrl, conversation, userSays, { locale });
    const all = texts(replies).join('\n');
    if (typeof expected === 'string') expect(all, `after "${userSays}"`).toContain(expected);
    else expect(all, `after "${userSays}"`).toMatch(expected);
    for (const b of expectedButtons ?? []) expect(buttons(replies), `buttons after "${userSays}"`).toContain(b);
  }
}

describe('main dialog: routing and global interruptions (real HTTP, real Redis)', () => {
  let app: App & { baseUrl: string };
  beforeAll(async () => {
    app = await startApp(
      { REDIS_URL: 'redis://127.0.0.1:6379/1', REDIS_KEY_PREFIX: `t:main:${Date.now()}:` },
      { recognizer: ruleRecognizer({ 'جدد اقامتي': 'iqama.renew', 'renew iqama': 'iqama.renew', 'تواصل': 'tawasul.create' }), features: [(deps) => new AskNameDialog(deps.t)] },
    );
  });
  afterAll(async () => {
    const keys = await app.redis.keys(`${app.config.REDIS_KEY_PREFIX}*`);
    if (keys.length) await app.redis.del(...keys);
    await app.close();
  });

  const cases: Array<[string, Step[], string?]> = [
    ['cancel inside a task (MSA)', [['السلام عليكم', 'مساعد'], ['جدد اقامتي', 'كيف أقدر أساعدك؟'], ['إلغاء', 'تم الإلغاء', ['تجديد إقامة']], ['نورة', 'لم أفهم']]],
    ['cancel inside a task (Gulf "خلاص")', [['هلا', 'مساعد'], ['جدد اقامتي', 'كيف أقدر أساعدك؟'], ['خلاص', 'تم الإلغاء']]],
    ['help inside a task re-asks the question', [['هلا', 'مساعد'], ['جدد اقامتي', 'كيف أقدر أساعدك؟'], ['مساعدة', /نحن الآن في خطوة[\s\S]*كيف أقدر أساعدك؟/], ['نورة', 'ما سؤالك عن خدمات الجوازات'], ['الرياض', 'done: نورة/الرياض']]],
    ['menu inside a task', [['هلا', 'مساعد'], ['جدد اقامتي', 'كيف أقدر أساعدك؟'], ['رجوع للقائمة', 'كيف أقدر أساعدك', ['طلب تواصل']], ['سارة', 'لم أفهم']]],
    ['switching language mid-task re-asks in English and keeps the answer', [['هلا', 'مساعد'], ['جدد اقامتي', 'كيف أقدر أساعدك؟'], ['نورة', 'ما سؤالك عن خدمات الجوازات'], ['English', /continue in English[\s\S]*Go ahead, ask your question/], ['Riyadh', 'done: نورة/Riyadh']]],
    ['English user switches to Arabic', [['hello', 'Welcome'], ['renew iqama', 'How can I help?'], ['العربية', /بالعربية[\s\S]*كيف أقدر أساعدك؟/]], 'en-US'],
    ['agent when no agent hub is wired says so politely', [['هلا', 'مساعد'], ['ابي اكلم موظف', 'غير متاحة في المحادثة حالياً']]],
    ['a service that has not landed says so instead of failing', [['هلا', 'مساعد'], ['تواصل', 'غير متاحة في المحادثة حالياً', ['تجديد إقامة']]]],
    ['menu buttons route by their title', [['hello', 'Welcome'], ['Renew an iqama', 'How can I help?'], ['cancel', 'Cancelled']], 'en-US'],
    ['not understood: a hint, then the menu with an agent offer', [['هلا', 'مساعد'], ['بطاطس مقلية', 'لم أفهم طلبك'], ['بيتزا', 'يمكنك الاختيار من القائمة', ['التحدث مع موظف']]]],
    ['not understood in English', [['hi', 'Welcome'], ['potato salad', "didn't quite get"], ['pizza', 'Pick from the menu', ['Talk to an agent']]], 'en-US'],
  ];

  it.each(cases)('%s', async (name, steps, locale) => {
    await run(app, `main-${name.replace(/\W+/g, '-')}-${Date.now()}`, steps, locale);
  });

  it('remembers an explicit language choice across conversations of the same user', async () => {
    const user = `u-pref-${Date.now()}`;
    await say(app.baseUrl, 'pref-1', 'هلا', { userId: user });
    await say(app.baseUrl, 'pref-1', 'English', { userId: user });
    const later = await say(app.baseUrl, 'pref-2', 'مساعدة', { userId: user });
    expect(texts(later).join()).toContain('I can help you');
  });
});
