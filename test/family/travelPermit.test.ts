/**
 * Travel permits for family members through the real MainDialog and trained recognizer,
 * against the simulator over real HTTP, in Arabic (MSA and Gulf) and English: the demo cases
 * (Saad issued one, Reem's active one cancelled, Faisal refused over 21, the married Zainab
 * refused), each refusal said of this person with the seed's reason, the member chosen by
 * name, relation, position or ID, corrections from the review, a question mid-flow answered
 * in place, the review as text on WhatsApp, and "how does it work?" left to the FAQ.
 */
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { formatBothCalendars } from '../../dialogs/format/dates';
import { ABDULLAH, DAY, MOHAMMED, OTP, buttons, harness, play, startFamilySim, t, texts, useSimulator, verifyAs } from './support';

let sim: Simulator;
let url: string;
useSimulator(startFamilySim, (running) => ({ sim, url } = running));

/** Reem's permit (seeded 400000103) runs 335 days from the simulator's today. */
const reemUntil = (lang: 'ar' | 'en') => formatBothCalendars(new Date(sim.clock.now() + 335 * DAY).toISOString().slice(0, 10), lang);

describe('Abdullah (citizen, three children): issue, cancel, refuse', () => {
  it('Gulf: «ابي اصدر تصريح سفر لولدي» → both sons listed with their permit state → «سعد» → «6 شهور» → confirm → the permit number and validity in both calendars', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['ابي اصدر تصريح سفر لولدي', t('ar', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'ar', '05******81'),
      [
        OTP,
        [t('ar', 'iqama:chooseAmong'), '1. سعد عبدالله القحطاني (ابن) — هوية ******2559 — لا يوجد تصريح سفر', '2. فيصل عبدالله القحطاني (ابن) — هوية ******1557 — لا يمكن إصدار تصريح له: بلغ الحادية والعشرين'],
        ['سعد عبدالله القحطاني (ابن)', 'فيصل عبدالله القحطاني (ابن)'],
      ],
      ['سعد', t('ar', 'family:permit.duration', { name: 'سعد عبدالله القحطاني' }), ['3 أشهر', '6 أشهر', '12 شهراً']],
      ['6 شهور', [t('ar', 'family:permit.review.title'), 'فرد الأسرة: سعد عبدالله القحطاني (ابن، هوية ******2559)', 'مدة التصريح: 6 أشهر'], ['تأكيد', 'تغيير فرد الأسرة', 'تغيير المدة']],
      ['تأكيد', [/تم إصدار تصريح سفر سعد عبدالله القحطاني برقم 4000001\d\d، وهو ساري حتى \d+ \S+ \d{4} \(\d+ \S+( \S+)? \d{4} هـ\)/, t('ar', 'family:permit.anotherAsk')], ['تصريح لفرد آخر']],
      ['لا', t('ar', 'menu.anythingElse'), ['تصاريح السفر']],
    ]);
    expect(sim.created.travelPermits).toBe(1);
    expect((await h.data()).task).toBeUndefined();
  });

  it('MSA: «ألغ تصريح سفر ريم» → her active permit with its validity → confirmation → cancelled; the list then shows none', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['ألغ تصريح سفر ريم', t('ar', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'ar', '05******81'),
      [OTP, [t('ar', 'family:permit.active', { name: 'ريم عبدالله القحطاني', number: '400000103', date: reemUntil('ar') }), t('ar', 'family:permit.cancelAsk')], ['نعم، ألغِ التصريح', 'لا، أبقِه']],
      ['نعم', [t('ar', 'family:permit.cancelled', { name: 'ريم عبدالله القحطاني', number: '400000103' }), t('ar', 'family:permit.anotherAsk')]],
      ['تصريح لفرد آخر', ['1. ريم عبدالله القحطاني (ابنة) — هوية ******5559 — لا يوجد تصريح سفر']],
    ]);
    expect(sim.created.permitCancellations).toBe(1);
  });

  it('English: "issue a travel permit for Faisal" → refused for him, with the seed\'s reason, not a how-to', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    const turns = await play(h, [
      ['issue a travel permit for Faisal', t('en', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'en', '05******81'),
      [OTP, [t('en', 'family:permit.refused.over21', { name: 'Faisal Abdullah Alqahtani', context: 'male' }), t('en', 'family:permit.anotherAsk')]],
    ]);
    expect(texts(turns[2]!)).toContain('because he is 21 or over');
    expect(texts(turns[2]!)).not.toContain(t('en', 'faq:travel_permit.answer').slice(0, 40));
    expect(sim.created.travelPermits).toBe(0);
  });

  it('English: "issue a travel permit for my son" → list; the second by position, then by ID for Saad; "keep it" for Reem leaves her permit', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['issue a travel permit for my son', t('en', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'en', '05******81'),
      [OTP, ['1. Saad Abdullah Alqahtani (Son) — ID ******2559 — no travel permit', "2. Faisal Abdullah Alqahtani (Son) — ID ******1557 — a permit can't be issued for him: he is 21 or over"]],
      ['the second', t('en', 'family:permit.refused.over21', { name: 'Faisal Abdullah Alqahtani', context: 'male' })],
      ['Another member', [t('en', 'family:permit.chooseIntro'), `Reem Abdullah Alqahtani (Daughter) — ID ******5559 — travel permit 400000103 valid until ${reemUntil('en')}`]],
      ['1184562559', t('en', 'family:permit.duration', { name: 'Saad Abdullah Alqahtani' })],
      ['a year', ['Permit duration: 12 months']],
      ['Confirm', /travel permit for Saad Abdullah Alqahtani has been issued, number 4000001\d\d, valid until/],
      ['yes', t('en', 'family:permit.chooseIntro')],
      ['Reem', t('en', 'family:permit.cancelAsk'), ['Yes, cancel it', 'No, keep it']],
      ['No, keep it', t('en', 'family:permit.kept', { name: 'Reem Abdullah Alqahtani', date: reemUntil('en') })],
    ]);
    expect(sim.created).toMatchObject({ travelPermits: 1, permitCancellations: 0 });
  });
});

describe('Mohammed (resident): the married daughter', () => {
  it('Gulf: «ابي تصريح سفر لبنتي زينب» → refused for her because she is married (agreement in the feminine)', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['ابي تصريح سفر لبنتي زينب', t('ar', 'verify:askId')],
      ...verifyAs(MOHAMMED, 'ar', '05******47'),
      [OTP, ['لا يمكن إصدار تصريح سفر باسم زينب محمد خان، لأنها متزوجة.', 'مخصصة لغير المتزوجين ممن لم يبلغوا الحادية والعشرين']],
    ]);
    expect(sim.created.travelPermits).toBe(0);
  });

  it('English: the list says who cannot have one and why; Imran can', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['I need a travel permit', t('en', 'verify:askId')],
      ...verifyAs(MOHAMMED, 'en', '05******47'),
      [OTP, ["Ayesha Begum (Wife) — ID ******7844 — a permit can't be issued for her: she is 21 or over", "Zainab Mohammed Khan (Daughter) — ID ******4037 — a permit can't be issued for her: she is married", 'Imran Mohammed Khan (Son) — ID ******0550 — no travel permit']],
      ['Zainab', 'because she is married'],
    ]);
  });
});

describe('corrections, questions mid-flow, channels', () => {
  it('Gulf: at the review «خلها 3 شهور» changes the duration; «لا مو سعد، ريم» changes the member to Reem, whose active permit is then offered for cancelling', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['ابي تصريح سفر لسعد لمدة سنة', t('ar', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'ar', '05******81'),
      [OTP, ['فرد الأسرة: سعد عبدالله القحطاني', 'مدة التصريح: 12 شهراً']],
      ['خلها 3 شهور', ['مدة التصريح: 3 أشهر']],
      ['لا مو سعد، بنتي ريم', [t('ar', 'family:permit.active', { name: 'ريم عبدالله القحطاني', number: '400000103', date: reemUntil('ar') })]],
    ]);
    expect(sim.created.travelPermits).toBe(0);
  });

  it('MSA: a question at the duration step is answered from the FAQ, then the same question again, all kept', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['أرغب في إصدار تصريح سفر لابني سعد', t('ar', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'ar', '05******81'),
      [OTP, t('ar', 'family:permit.duration', { name: 'سعد عبدالله القحطاني' })],
      ['من يستحق تصريح السفر؟', [t('ar', 'faq:travel_permit.answer').slice(0, 40), t('ar', 'family:permit.duration', { name: 'سعد عبدالله القحطاني' })]],
      ['٣ أشهر', 'مدة التصريح: 3 أشهر'],
    ]);
  });

  it('English on WhatsApp: the review is plain lines with three buttons', async () => {
    const h = harness({ sim, url, locale: 'en-US', channelId: 'whatsapp' });
    const turns = await play(h, [
      ['travel permit for my son Saad for 6 months', t('en', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'en', '05******81'),
      [OTP, ['Travel permit review\n• Family member: Saad Abdullah Alqahtani (Son, ID ******2559)\n• Permit duration: 6 months']],
    ]);
    expect(buttons(turns[2]!)).toEqual(['Confirm', 'Change family member', 'Change duration']);
    expect(turns[2]!.flatMap((r) => r.attachments ?? [])).toEqual([]);
  });

  it('"how does a travel permit work?" stays the FAQ answer, no identity step', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    const turns = await play(h, [['how does a travel permit work?', t('en', 'faq:travel_permit.answer').slice(0, 40)]]);
    expect(texts(turns[0]!)).not.toContain(t('en', 'verify:askId'));
  });

  it('the menu entries start the tasks: «تصاريح السفر» and "Update passport details"', async () => {
    const ar = harness({ sim, url });
    await play(ar, [['السلام عليكم', t('ar', 'menu.prompt'), [t('ar', 'menu.travelPermit'), t('ar', 'menu.passportUpdate')]], [t('ar', 'menu.travelPermit'), t('ar', 'verify:askId')]]);
    const en = harness({ sim, url, locale: 'en-US' });
    await play(en, [[t('en', 'menu.passportUpdate'), t('en', 'verify:askId')]]);
  });

  it('Gulf: «ابي الغي تصريح السفر اللي طلعته لبنتي» → the only daughter, Reem, straight to the cancel question', async () => {
    const h = harness({ sim, url });
    await play(h, [
      ['ابي الغي تصريح السفر اللي طلعته لبنتي', t('ar', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'ar', '05******81'),
      [OTP, [t('ar', 'family:permit.active', { name: 'ريم عبدالله القحطاني', number: '400000103', date: reemUntil('ar') }), t('ar', 'family:permit.cancelAsk')]],
      ['لا', t('ar', 'family:permit.kept', { name: 'ريم عبدالله القحطاني', date: reemUntil('ar') })],
    ]);
    expect(sim.created.permitCancellations).toBe(0);
  });
});

describe('after an outcome, the task asked for again or another task', () => {
  it('Gulf: Saad issued, then «وش صار على تصريح ريم؟ ابي الغيه» at «anything else?» → Reem\'s active permit and the cancel question, no new identity step → cancelled', async () => {
    const h = harness({ sim, url });
    const turns = await play(h, [
      ['ابي اصدر تصريح سفر لولدي', t('ar', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'ar', '05******81'),
      [OTP, t('ar', 'iqama:chooseAmong')],
      ['سعد', t('ar', 'family:permit.duration', { name: 'سعد عبدالله القحطاني' })],
      ['6 شهور', t('ar', 'family:permit.review.title')],
      ['تأكيد', [/تم إصدار تصريح سفر سعد عبدالله القحطاني برقم 4000001\d\d/, t('ar', 'family:permit.anotherAsk')]],
      ['وش صار على تصريح ريم؟ ابي الغيه', [t('ar', 'family:permit.active', { name: 'ريم عبدالله القحطاني', number: '400000103', date: reemUntil('ar') }), t('ar', 'family:permit.cancelAsk')], ['نعم، ألغِ التصريح', 'لا، أبقِه']],
      ['نعم', [t('ar', 'family:permit.cancelled', { name: 'ريم عبدالله القحطاني', number: '400000103' }), t('ar', 'family:permit.anotherAsk')]],
    ]);
    // Before: the status lookup took it over, saying Saad's task was stopped «دون حفظ شيء».
    expect(texts(turns[6]!)).not.toContain('دون حفظ');
    expect(texts(turns[6]!)).not.toContain(t('ar', 'verify:askId'));
    expect(sim.created).toMatchObject({ travelPermits: 1, permitCancellations: 1 });
  });

  it('English: Faisal refused, then "what happened to Reem\'s permit? I want to cancel it" → her cancel question, not "cancel" of the task', async () => {
    const h = harness({ sim, url, locale: 'en-US' });
    await play(h, [
      ['issue a travel permit for Faisal', t('en', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'en', '05******81'),
      [OTP, t('en', 'family:permit.anotherAsk')],
      ["what happened to Reem's permit? I want to cancel it", [t('en', 'family:permit.active', { name: 'Reem Abdullah Alqahtani', number: '400000103', date: reemUntil('en') }), t('en', 'family:permit.cancelAsk')]],
      ['keep it', t('en', 'family:permit.kept', { name: 'Reem Abdullah Alqahtani', date: reemUntil('en') })],
    ]);
    expect(sim.created.permitCancellations).toBe(0);
  });

  it('another task at «anything else?» takes over without "stopped without saving" and without offering the finished task back', async () => {
    const h = harness({ sim, url });
    const turns = await play(h, [
      ['ابي اصدر تصريح سفر لفيصل', t('ar', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'ar', '05******81'),
      [OTP, t('ar', 'family:permit.anotherAsk')],
      ['ابي اجدد اقامة', []],
    ]);
    const after = texts(turns[3]!);
    expect(after).not.toContain('دون حفظ');
    expect(after).not.toContain(t('ar', 'inTask.resumeOffer', { task: t('ar', 'menu.travelPermit') }).slice(0, 20));
    expect((await h.data()).stopped).toBeUndefined();
  });
});
