/**
 * Transcripts of the status lookup through the real MainDialog and recognizer, against the
 * simulator over real HTTP, in Arabic MSA, Gulf dialect and English: every lookup kind
 * (request, ticket with history, my iqama, dependents, visas), the simulator's clock moving
 * a request from under review to approved and a ticket to "needs information", wrong
 * numbers with their reasons and the three-tries limit, a session expiring mid-flow, the
 * services API down then back, and the session reused for a second lookup.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Simulator } from '../../sim';
import { formatBothCalendars } from '../../dialogs/format/dates';
import { startFaultProxy, type FaultProxy } from '../services/faultProxy';
import { faqDialogFactory } from '../../dialogs/faqDialog';
import { AHMED, BILAL, HOUR, MOHAMMED, OTP, harness, play, startStatusSim, useSimulator, t, texts, type Step } from './support';

let sim: Simulator;
let url: string;

useSimulator(startStatusSim, (running) => ({ sim, url } = running));

/** A date n days from the simulator's today, as the bot shows it. */
const onDay = (days: number, lang: 'ar' | 'en') => formatBothCalendars(new Date(sim.clock.now() + days * 24 * HOUR), lang);

/** The two steps of verification: ID number, then the one-time code. */
function verifyAs(id: string, lang: 'ar' | 'en', mobile: string): Step[] {
  return [[id, t(lang, 'verify:askCode', { mobile })]];
}

describe('status lookup: requests and tickets', () => {
  it('MSA: a number with Arabic-Indic digits in the first message, "قيدت" explained, last update in both calendars', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['ما حالة طلبي رقم ٤٠٠ ٠٠٠ ١٠١؟', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [
        OTP,
        [
          'أهلاً أحمد',
          'تحديث معلومات الجواز المجدد رقم 400000101',
          'المستفيد: أحمد حسن عبدالرحمن',
          'الحالة: قيدت',
          '«قيدت» تعني أن المعاملة تم إثباتها وتسجيلها.',
          /آخر تحديث: \d+ \S+ \d{4} \(\d+ \S+( \S+)? \d{4} هـ\)/,
        ],
        ['متابعة طلب', 'القائمة الرئيسية'],
      ],
    ]);
    expect((await h.data()).task).toEqual({ intent: 'status.check', verified: true, details: { lookup: 'request', number: '400000101' } });
  });

  it('Gulf dialect: in progress, then approved after the clock moves 22 h (the session expired meanwhile: verified again)', async () => {
    // Its own simulator: moving the clock must not shift the other tests' days.
    const { sim, url } = await startStatusSim();
    onTestFinished(() => sim.stop());
    const h = harness({ sim, url });
    const before = sim.clock.now();
    await play(
      h,
      [
        ['وش صار على طلبي 400000102؟', t('ar', 'verify:askId')],
        ...verifyAs(MOHAMMED, 'ar', '05******47'),
        [OTP, ['تجديد هوية مقيم لأحد أفراد الأسرة رقم 400000102', 'الحالة: قيد الدراسة', 'طلبك قيد الدراسة لدى الجوازات']],
        // A bare number after the answer: the router takes it back to the lookup.
        ['400000102', [t('ar', 'services:error.sessionExpired'), t('ar', 'verify:askId')]],
        ...verifyAs(MOHAMMED, 'ar', '05******47'),
        [OTP, ['الحالة: تمت الموافقة', 'أبشر، تمت الموافقة على طلبك.', `آخر تحديث: ${formatBothCalendars(new Date(before + 21 * HOUR), 'ar')}`]],
      ],
      { 3: () => sim.clock.advance(22 * HOUR) },
    );
  });

  it('English: a ticket with its history; after 22 h it needs information, with the reason and how to reply via Tawasul', async () => {
    const { sim, url } = await startStatusSim();
    onTestFinished(() => sim.stop());
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['status 700-000-101', t('en', 'verify:askId')],
      ...verifyAs(AHMED, 'en', '05******12'),
      [OTP, ['Tawasul request number 700000101', 'Status: Under review', 'History:', '• ', ': Submitted', ': Under review'], ['Check a status', 'Main menu']],
    ]);
    sim.clock.advance(22 * HOUR);
    const h2 = harness({ sim, url, locale: 'en-US' });
    await play(h2, [
      ['what is the status of ticket 700000101', t('en', 'verify:askId')],
      ...verifyAs(AHMED, 'en', '05******12'),
      [
        OTP,
        [
          'Status: More information needed',
          /More information is needed before a decision can be made: .+/,
          t('en', 'status:explain.needsInfoTawasul', { number: '700000101' }),
          /: More information needed, needed: .+/,
        ],
      ],
    ]);
  });

  it('a rejected ticket and a resolved one give their reasons (English and Arabic)', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['track 700000103 please', t('en', 'verify:askId')],
      ...verifyAs(MOHAMMED, 'en', '05******47'),
      [OTP, ['Status: Rejected', /Your request was not approved\. Reason: .+/]],
      ['التذكرة ٧٠٠٠٠٠١٠٢ وش صار عليها', ['الحالة: تمت المعالجة', /أُغلقت تذكرتك، وهذا ردّ الإدارة: «.+»/]],
    ]);
  });
});

describe('status lookup: a request without its number verifies first, then asks the number', () => {
  it.each([
    ['ar', 'شو صار بمعاملتي', 'هذا هو ٤٠٠٠٠٠١٠١', 'الحالة: قيدت'],
    ['en', 'where is my application at', 'the number is 400 000 101', 'Status: Recorded'],
  ] as const)('%s: «%s» → the ID, the code, then the number', async (lang, first, number, answer) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    await play(h, [
      [first, t(lang, 'verify:askId')],
      ...verifyAs(AHMED, lang, '05******12'),
      [OTP, t(lang, 'status:ask.number')],
      [number, answer],
    ]);
  });

  it.each([
    ['ar', 'ابي اعرف وش صار على معاملتي', 'وش الاوراق المطلوبة للتجديد', 'faq:iqama_requirements.answer'],
    ['en', 'track my application please', 'how do I register in absher?', 'faq:absher_register.answer'],
  ] as const)('%s: a question at that first step is answered, then the ID is asked again', async (lang, first, question, faq) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US', features: [faqDialogFactory] });
    await play(h, [
      [first, t(lang, 'verify:askId')],
      [question, [t(lang, faq).slice(0, 40), t(lang, 'verify:askId')]],
      ...verifyAs(AHMED, lang, '05******12'),
      [OTP, t(lang, 'status:ask.number')],
    ]);
  });
});

describe('status lookup: wrong numbers', () => {
  it('from the menu button: verified first, then too short, wrong first digit, unknown → three tries, then an agent or the menu', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['متابعة طلب', t('ar', 'status:ask.what'), ['طلب أو تذكرة برقمها', 'صلاحية إقامتي', 'إقامات التابعين', 'تأشيرات الخروج والعودة']],
      // No number yet: the ID first, as an agent would, then the number.
      ['١', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'status:ask.number')],
      ['12345', t('ar', 'status:number.tooShort', { number: '12345' })],
      ['500-000-101', t('ar', 'status:number.prefix', { number: '500000101' })],
      // Mohammed's request under Ahmed's account: "not found", nothing about whose it is.
      ['400000102', t('ar', 'status:number.tooManyTries'), ['التحدث مع موظف', 'القائمة الرئيسية']],
    ]);
  });

  it('English: an ID number instead of a request number, then a number not found, then the right one (session kept)', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['check a status', t('en', 'status:ask.what')],
      ['A request or ticket', t('en', 'verify:askId')],
      ...verifyAs(AHMED, 'en', '05******12'),
      [OTP, t('en', 'status:ask.number')],
      ['2345678904', t('en', 'status:number.isId')],
      ['400 000 999', t('en', 'status:number.notFound', { number: '400000999' })],
      ['it is 400000101', ['Status: Recorded', '"Recorded" (قيدت) means the transaction has been established and registered.']],
    ]);
  });

  it('a number too short in the first message gets the reason at once; "my iqama" instead of a number switches the lookup', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['وش صار على طلبي 12345؟', t('ar', 'status:number.tooShort', { number: '12345' })],
      ['لا، ابي اعرف صلاحية اقامتي', t('ar', 'verify:askId')],
      ...verifyAs(BILAL, 'ar', '05******93'),
      [OTP, ['إقامتك (بلال أحمد شيخ) سارية حتى', 'بقي 60 يومًا']],
    ]);
  });
});

describe('status lookup: iqamas and visas', () => {
  it('MSA: my iqama, with the expiry in both calendars and days left', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['متى تنتهي اقامتي؟', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, [`إقامتك (أحمد حسن عبدالرحمن) سارية حتى ${onDay(150, 'ar')}، بقي 150 يومًا.`]],
    ]);
  });

  it('English: "when does my iqama expire" goes straight to my iqama', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['when does my iqama expire?', t('en', 'verify:askId')],
      ...verifyAs(MOHAMMED, 'en', '05******47'),
      [OTP, [`Your iqama (Mohammed Irfan Khan) is valid until ${onDay(300, 'en')}: 300 days left.`]],
    ]);
  });

  it('Gulf dialect: "my wife\'s iqama" narrows the dependents to her; then all dependents with an expired one', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['متى تخلص اقامة زوجتي', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, ['هذا ما وجدته:', /• منى .*\(زوجة، هوية \u2066\*{6}\d{4}\u2069\): سارية حتى .*، بقي 20 يومًا/]],
      ['ابي اشوف صلاحية اقامات التابعين', ['إقامات التابعين لك:', /• يوسف .*: انتهت في .*، منذ 5 أيام/, /• عمر .*بقي 12 يومًا/, 'لتجديد إحدى هذه الإقامات']],
    ]);
    const answer = texts(await h.say('ابي اشوف صلاحية اقامات التابعين'));
    expect(answer.match(/^• /gm)).toHaveLength(6);
    expect(answer).not.toMatch(/2\d{9}/);
  });

  it('English: dependents from the menu by position, with Arabic plurals checked in Arabic for 3 days', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['Check a status', t('en', 'status:ask.what')],
      ['the third', t('en', 'verify:askId')],
      ...verifyAs(MOHAMMED, 'en', '05******47'),
      [OTP, ["Your dependents' iqamas:", /• Imran .*: valid until .*, 3 days left/]],
    ]);
    const ar = harness({ sim, url });
    await play(ar, [
      ['متى تنتهي اقامات عيالي', t('ar', 'verify:askId')],
      ...verifyAs(MOHAMMED, 'ar', '05******47'),
      [OTP, [/عمران .*بقي 3 أيام/]],
    ]);
  });

  it('a citizen has no iqama; his children are listed as citizens', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['is my iqama still valid', t('en', 'verify:askId')],
      ...verifyAs('1104837263', 'en', '05******81'),
      [OTP, t('en', 'status:myIqama.citizen')],
      ["when do my kids' iqamas expire", [/• Reem .*\(Daughter\): Saudi citizen, no iqama/]],
    ]);
  });

  it('in Arabic each citizen child is described in their own gender', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['هل إقامتي سارية؟', t('ar', 'verify:askId')],
      ...verifyAs('1104837263', 'ar', '05******81'),
      [OTP, t('ar', 'status:myIqama.citizen')],
      ['متى تنتهي إقامات عيالي؟', [/• ريم .*\(ابنة\): مواطنة سعودية، لا تحمل إقامة/, /• سعد .*\(ابن\): مواطن سعودي، لا يحمل إقامة/]],
    ]);
  });

  it('visas in Arabic and English: a valid multiple one with days left and an expired single one', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['صلاحية تأشيرة الخروج والعودة حقتي', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, ['تأشيرات الخروج والعودة:', /تأشيرة خروج وعودة متعددة رقم 400000104 باسم أحمد .*: سارية، ويجب مغادرة المملكة قبل .*بقي/, /تأشيرة خروج وعودة مفردة رقم 400000105 باسم عمر .*: انتهت في .*\(منذ .*\) دون استخدام/]],
    ]);
    const en = harness({ sim, url, locale: 'en-US' });
    await play(en, [
      ['Check a status', t('en', 'status:ask.what')],
      ['My exit re-entry visas', t('en', 'verify:askId')],
      ...verifyAs(AHMED, 'en', '05******12'),
      [OTP, [/Multiple exit\/re-entry visa no\. 400000104 for Ahmed .*: valid, leave the Kingdom before .* days left\); up to \d+ days abroad/, /Single exit\/re-entry visa no\. 400000105 for Omar .*: expired on/]],
    ]);
  });
});

describe('status lookup: failures', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(url);
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it('services API down: a polite message and a retry button; the retry answers', async () => {
    const h = harness({ sim, url: proxy.url });
    await play(
      h,
      [
        ['ما حالة الطلب 400000101', t('ar', 'verify:askId')],
        ...verifyAs(AHMED, 'ar', '05******12'),
        [OTP, t('ar', 'services:error.unavailable'), ['إعادة المحاولة', 'القائمة الرئيسية']],
        ['إعادة المحاولة', 'الحالة: قيدت'],
      ],
      { 2: () => proxy.plan('pass', 'status503', 'status503', 'status503') },
    );
  });

  it('services API down and the user asks something else instead of retrying: that lookup runs', async () => {
    const h = harness({ sim, url: proxy.url, locale: 'en-US' });
    await play(
      h,
      [
        ['status of 400000101', t('en', 'verify:askId')],
        ...verifyAs(AHMED, 'en', '05******12'),
        [OTP, t('en', 'services:error.unavailable'), ['Try again']],
        ['my iqama', 'Your iqama (Ahmed Hassan Abdelrahman) is valid until'],
      ],
      { 2: () => proxy.plan('pass', 'garbage', 'garbage', 'garbage') },
    );
  });

  it('the session expires mid-flow (sim sessions expired): verified again, the same lookup resumes', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(
      h,
      [
        ['status 400000101', t('en', 'verify:askId')],
        ...verifyAs(AHMED, 'en', '05******12'),
        [OTP, 'Status: Recorded'],
        ['700000101', [t('en', 'services:error.sessionExpired'), t('en', 'verify:askId')]],
        ...verifyAs(AHMED, 'en', '05******12'),
        [OTP, 'Tawasul request number 700000101'],
      ],
      { 3: async () => void (await fetch(`${url}/_sim/sessions/expire`, { method: 'POST' })) },
    );
  });

  it('a second lookup in the same conversation reuses the session (no ID asked)', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['متى تنتهي اقامتي', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, 'إقامتك'],
      ['400000101', 'الحالة: قيدت'],
    ]);
  });
});

describe('status lookup: global commands and empty answers', () => {
  it('switching language at the number question re-asks it in English; the lookup then answers in English', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['متابعة طلب', t('ar', 'status:ask.what')],
      ['طلب أو تذكرة برقمها', t('ar', 'verify:askId')],
      ...verifyAs(AHMED, 'ar', '05******12'),
      [OTP, t('ar', 'status:ask.number')],
      ['English', [t('en', 'language.switched'), t('en', 'status:ask.number')]],
      ['400000101', ['Renewed passport details update number 400000101', 'Status: Recorded']],
    ]);
  });

  it('cancel at the first question ends the lookup; the next number starts a new one', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['ابي اتابع طلبي', t('ar', 'verify:askId')],
      ['إلغاء', t('ar', 'cancel.done')],
      ['٤٠٠٠٠٠١٠١', t('ar', 'verify:askId')],
    ]);
    expect((await h.data()).task).toEqual({ intent: 'status.check', details: { lookup: 'request', number: '400000101' } });
  });

  it('no dependents and no visas are said plainly', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['when do my dependents iqamas expire', t('en', 'verify:askId')],
      ...verifyAs(BILAL, 'en', '05******93'),
      [OTP, t('en', 'status:dependents.none')],
      ['when does my exit re-entry visa expire', t('en', 'status:visas.none')],
    ]);
  });
});
