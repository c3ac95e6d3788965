/**
 * Every ineligibility case of the simulator's demo data, in Arabic MSA, Gulf dialect and
 * English, through the real MainDialog and recognizer: each failed condition is named with
 * what to do (amounts included), and the flow offers a next step (another member, Tawasul,
 * an agent, the menu) that works, never a dead end.
 */
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { ABDULLAH, AHMED, MOHAMMED, OTP, buttons, harness, play, startIqamaSim, useSimulator, t, texts, verifyAs, type Step } from './support';

let sim: Simulator;
let url: string;

useSimulator(startIqamaSim, (running) => ({ sim, url } = running));

const MOBILE: Record<string, string> = { [AHMED]: '05******12', [MOHAMMED]: '05******47', [ABDULLAH]: '05******81' };
/** A date as the bot shows it in both calendars: "13 نوفمبر 2026 (3 جمادى الآخرة 1448 هـ)". */
const BOTH_AR = String.raw`\d+ \S+ \d{4} \(\d+ \S+( \S+)? \d{4} هـ\)`;
const BOTH_EN = String.raw`\d+ \w+ \d{4} \(\S+( \S+)? \d+, \d{4} AH\)`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The locale's sentence with its {{date}} standing for any date in both calendars. */
const withDate = (lang: 'ar' | 'en', key: string) => new RegExp(escape(t(lang, key, { date: '@@' })).replace('@@', lang === 'ar' ? BOTH_AR : BOTH_EN));

interface Case {
  name: string;
  lang: 'ar' | 'en';
  id: string;
  /** The first message (may name the relation), then how the member is picked (if asked). */
  opening: string;
  pick?: string;
  dependent: { ar: string; en: string };
  reasons: Array<string | RegExp>;
  /** A citizen member: said as a fact, agreeing with them, instead of reasons to fix. */
  citizen?: 'male' | 'female';
}

const CASES: Case[] = [
  {
    name: 'Omar (MSA, picked by "الثاني"): passport expired → renew it first',
    lang: 'ar', id: AHMED, opening: 'أريد تجديد إقامة أحد أفراد أسرتي', pick: 'الثاني',
    dependent: { ar: 'عمر أحمد حسن', en: 'Omar Ahmed Hassan' },
    reasons: [withDate('ar', 'iqama:failure.passport_expired')],
  },
  {
    name: 'Layla (Gulf, "بنتي" is ambiguous: picked by her name): no health insurance',
    lang: 'ar', id: AHMED, opening: 'ابي اجدد اقامة بنتي', pick: 'ليلى',
    dependent: { ar: 'ليلى أحمد حسن', en: 'Layla Ahmed Hassan' },
    reasons: [t('ar', 'iqama:failure.health_insurance_missing')],
  },
  {
    name: 'Youssef (English, picked by "4"): two unpaid violations, 900 SAR',
    lang: 'en', id: AHMED, opening: 'I want to renew an iqama', pick: '4',
    dependent: { ar: 'يوسف أحمد حسن', en: 'Youssef Ahmed Hassan' },
    reasons: ['2 violations totalling 900 SAR are unpaid: pay them, then try again.'],
  },
  {
    name: 'Youssef (MSA, picked by Arabic-Indic "٤"): Arabic dual for two violations',
    lang: 'ar', id: AHMED, opening: 'تجديد إقامة', pick: '٤',
    dependent: { ar: 'يوسف أحمد حسن', en: 'Youssef Ahmed Hassan' },
    reasons: ['توجد مخالفتان غير مسددتين بمبلغ 900 ريال، وبعد سدادهما يمكن إعادة المحاولة.'],
  },
  {
    name: 'Fatma (Gulf, "امي" straight to her): medical exam required',
    lang: 'ar', id: AHMED, opening: 'ودي اجدد اقامة امي',
    dependent: { ar: 'فاطمة محمود علي', en: 'Fatma Mahmoud Ali' },
    reasons: [t('ar', 'iqama:failure.medical_exam_required')],
  },
  {
    name: 'Nour (English, picked by "the last"): no national address',
    lang: 'en', id: AHMED, opening: 'renew iqama for my family', pick: 'the last one',
    dependent: { ar: 'نور أحمد حسن', en: 'Nour Ahmed Hassan' },
    reasons: [t('en', 'iqama:failure.no_national_address')],
  },
  {
    name: "Ayesha (English, \"my wife's iqama\"): two failures at once, fees 1,200 SAR and expired insurance",
    lang: 'en', id: MOHAMMED, opening: "renew my wife's iqama",
    dependent: { ar: 'عائشة', en: 'Ayesha' },
    reasons: ['Government fees of 1200 SAR are unpaid: pay them through SADAD, then try again.', withDate('en', 'iqama:failure.health_insurance_expired')],
  },
  {
    name: 'Ayesha (MSA): the same two failures in Arabic',
    lang: 'ar', id: MOHAMMED, opening: 'أرغب في تجديد إقامة زوجتي',
    dependent: { ar: 'عائشة', en: 'Ayesha' },
    reasons: ['توجد رسوم حكومية غير مسددة بمبلغ 1200 ريال، وبعد سدادها عبر «سداد» يمكن إعادة المحاولة.', withDate('ar', 'iqama:failure.health_insurance_expired')],
  },
  {
    name: 'Imran (Gulf, "ولدي" is his only son): a renewal already in progress, with its number',
    lang: 'ar', id: MOHAMMED, opening: 'بجدد اقامة ولدي',
    dependent: { ar: 'عمران', en: 'Imran' },
    reasons: [t('ar', 'iqama:failure.renewal_in_progress', { number: '400000102' })],
  },
  {
    name: "Saad (English, a citizen's son, picked by name): holds no iqama",
    lang: 'en', id: ABDULLAH, opening: 'renew iqama', pick: 'Saad',
    dependent: { ar: 'سعد', en: 'Saad' },
    reasons: [],
    citizen: 'male',
  },
  {
    name: 'Saad (MSA, picked by name): a citizen son, in the masculine',
    lang: 'ar', id: ABDULLAH, opening: 'تجديد إقامة', pick: 'سعد',
    dependent: { ar: 'سعد', en: 'Saad' },
    reasons: [/مواطن سعودي لا يحمل إقامة، فلا توجد إقامة لتجديدها/],
    citizen: 'male',
  },
];

describe('eligibility: every failed condition named, with what to do', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const h = harness({ sim, url, locale: c.lang === 'ar' ? 'ar-SA' : 'en-US' });
      const next = [t(c.lang, 'iqama:next.another'), t(c.lang, 'menu.tawasul'), t(c.lang, 'menu.agent'), t(c.lang, 'intent.menu')];
      // The intro agrees with the number of reasons (Arabic: «للسبب التالي», «للسببين التاليين», «للأسباب التالية»).
      const intro = c.citizen ? t(c.lang, 'iqama:noIqamaToRenew', { name: '@@', context: c.citizen }) : t(c.lang, 'iqama:notEligible', { name: '@@', reasons: '', count: c.reasons.length });
      const notEligible = new RegExp(escape(intro).replace('@@', `${escape(c.dependent[c.lang])}[^\\n]*`));
      const steps: Step[] = [[c.opening, t(c.lang, 'verify:askId')], ...verifyAs(c.id, c.lang, MOBILE[c.id]!)];
      if (c.pick) steps.push([OTP, t(c.lang, 'iqama:choose', { intro: '', list: '' }).split('\n').pop()!], [c.pick, [notEligible, ...c.reasons], next]);
      else steps.push([OTP, [notEligible, ...c.reasons], next]);
      await play(h, steps);
      const task = (await h.data()).task;
      expect(task?.intent).toBe('iqama.renew');
      expect(task?.details?.stage).toBe('not eligible');
      expect(task?.details?.dependent).toMatch(/\(\*{6}\d{4}\)$/);
    });
  }
});

describe('after ineligibility: the next steps work', () => {
  it('MSA: "another member" lists the family again and an eligible one goes on to the duration', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['أريد تجديد إقامة أمي', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'iqama:failure.medical_exam_required')],
      [t('ar', 'iqama:next.another'), [t('ar', 'iqama:chooseIntro'), '1. منى إبراهيم السيد (زوجة) — هوية ******7625']],
      ['منى', t('ar', 'iqama:duration', { name: 'منى إبراهيم السيد' }), ['3 أشهر — 250 ريال', '6 أشهر — 400 ريال', '9 أشهر — 550 ريال', '12 شهراً — 700 ريال']],
    ]);
  });

  it('English: "Talk to an agent" leaves the renewal for the handoff, which receives what was collected', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['renew my mother iqama', t('en', 'verify:askId')],
      ...verifyAs(AHMED, 'en', '05******12'),
      [OTP, t('en', 'iqama:failure.medical_exam_required')],
    ]);
    const before = await h.data();
    expect(before.task?.details).toMatchObject({ stage: 'not eligible', failures: 'medical_exam_required', dependent: 'Fatma Mahmoud Ali (******0450)' });
    // No agents hub in this harness: the handoff dialog says so and offers Tawasul.
    const replies = await h.say('Talk to an agent');
    expect(texts(replies)).toContain(t('en', 'handoff:unavailable.noAgents'));
    expect(buttons(replies)).toContain(t('en', 'menu.tawasul'));
  });

  it('Gulf: a son named in the first message is picked at once; "3" picks Tawasul by its place and shows the menu', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['ابي اجدد اقامة ولدي عمر', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, ['عمر أحمد حسن', withDate('ar', 'iqama:failure.passport_expired')]],
      ['3', t('ar', 'menu.anythingElse'), [t('ar', 'menu.renew'), t('ar', 'menu.tawasul'), t('ar', 'menu.agent')]],
    ]);
  });

  it('MSA: the "Tawasul request" button leaves the renewal for the router', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['أريد تجديد إقامة ابنتي نور', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'iqama:failure.no_national_address')],
    ]);
    const replies = await h.say(t('ar', 'menu.tawasul'));
    expect(texts(replies)).not.toContain(t('ar', 'iqama:nextPrompt'));
    expect((await h.data()).task?.intent).toBe('tawasul.create');
  });
});
