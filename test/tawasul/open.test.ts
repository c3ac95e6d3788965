/**
 * Opening a Tawasul request against the simulator over real HTTP, with the trained recognizer
 * and the real main dialog, in Arabic and English: each transaction type's fields with their
 * checks, the description kept as typed, attachments refused by their bytes or size and
 * accepted, changes from the review, cancel mid-flow, and one ticket per request.
 */
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { tawasulDialogFactory } from '../../dialogs/tawasulDialog';
import { AHMED, OTP, harness, play, startStatusSim, useSimulator, t, texts } from '../status/support';

let sim: Simulator;
let url: string;

useSimulator(startStatusSim, (running) => ({ sim, url } = running));

const features = [tawasulDialogFactory];
const ar = (key: string, args?: Record<string, unknown>) => t('ar', `tawasul:${key}`, args);
const en = (key: string, args?: Record<string, unknown>) => t('en', `tawasul:${key}`, args);
const PDF = `data:application/pdf;base64,${Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n').toString('base64')}`;
const EXE = `data:application/pdf;base64,${Buffer.from('MZ\x90\x00 this is a renamed program').toString('base64')}`;
const BIG = `data:image/png;base64,${Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(5 * 1024 * 1024)]).toString('base64')}`;

describe('Tawasul: open a request', () => {
  it('Arabic: date of birth correction with field checks, a refused and an accepted file, the review, one ticket', async () => {
    const h = harness({ sim, url, features });
    await play(h, [
      ['ابي ارفع طلب تواصل', t('ar', 'verify:askId')],
      [AHMED, 'رمز'],
      [OTP, ar('askSection'), ['تصحيح البيانات', 'الاستفسارات العامة']],
      ['تصحيح البيانات', 'ما نوع المعاملة', ['تصحيح الاسم', 'تصحيح تاريخ الميلاد']],
      ['الثاني', 'رقم هوية المستفيد'],
      ['12345', 'رقم هوية المستفيد يتكوّن من ١٠ أرقام'],
      ['٢٣٤٥٦٧٨٩٠٤', 'تاريخ الميلاد الصحيح'],
      ['ما اذكر', ar('invalid.date')],
      ['15/06/1440 هـ', ar('askDescription', { min: 10, max: 1000 })],
      ['قصير', ar('description.short', { min: 10 })],
    ]);
    const description = 'تاريخ ميلاد بنتي ليلى مسجل خطأ، الصحيح حسب شهادة الميلاد.';
    await play(h, [[description, 'هل من مرفقات؟']]);
    // A "PDF" that is really a program, and a file over 5 MB, are refused with the reason.
    const refused = await h.sayActivity({ text: '', attachments: [{ contentType: 'application/pdf', contentUrl: EXE, name: 'passport.pdf' }, { contentType: 'image/png', contentUrl: BIG, name: 'scan.png' }] });
    expect(texts(refused)).toContain(ar('file.type', { name: 'passport.pdf' }));
    expect(texts(refused)).toContain(ar('file.size', { name: 'scan.png', max: 5 }));
    const added = await h.sayActivity({ text: '', attachments: [{ contentType: 'application/pdf', contentUrl: PDF, name: 'birth.pdf' }] });
    expect(texts(added)).toContain(ar('file.added', { name: 'birth.pdf', n: 1, max: 5 }));
    const review = texts(await h.say(ar('next.done')));
    expect(review).toContain(ar('review.title'));
    expect(review).toContain(`• ${ar('review.description')}: ${description}`);
    expect(review).toContain('birth.pdf');
    expect(review).toContain('******8904');
    // The date given in Hijri reads back in both calendars, not as the ISO value sent to the API.
    expect(review).toMatch(/تاريخ الميلاد الصحيح: \d{1,2} \S+ 20\d\d \(15 [^)]+ 1440 هـ\)/);
    const sent = texts(await h.say(ar('next.submit')));
    expect(sent).toMatch(/تم إرسال طلبك في «تواصل» برقم 7\d{8}/);
    expect(sim.created.tickets).toBe(1);
    expect(sim.created.attachments).toBe(1);
  });

  it('English: general question with a select field, skip attachments, edit the description from the review', async () => {
    const h = harness({ sim, url, locale: 'en-US', features });
    await play(h, [
      ['open a tawasul ticket', t('en', 'verify:askId')],
      [AHMED, 'code'],
      [OTP, en('askSection')],
      ['General inquiries', ['Topic: choose one of the buttons.'], ['Iqama', 'Passport', 'Visas', 'Other']],
      ['weather', 'Pick one of: Iqama, Passport, Visas, Other'],
      ['Visas', 'Describe your request'],
      ['Can my mother stay longer on a visit visa?', 'Send any attachments'],
      ['Skip', en('review.ask')],
      [en('next.changeDescription'), 'Describe your request'],
      ['Can my mother extend her visit visa by one month?', en('review.ask')],
    ]);
    const sent = texts(await h.say(en('next.submit')));
    expect(sent).toMatch(/sent as 7\d{8}/);
    expect(sim.created.tickets).toBe(1);
  });

  it('a type that needs an attachment does not let the user skip it; iqama extension checks its number range', async () => {
    const h = harness({ sim, url, locale: 'en-US', features });
    await play(h, [
      ['I want to raise a tawasul request', t('en', 'verify:askId')],
      [AHMED, 'code'],
      [OTP, en('askSection')],
      ['Iqama extension', 'Iqama number'],
      ['2345678904', 'Extension in months'],
      ['24', 'must be between 1 and 12'],
      ['3', 'Describe your request'],
      ['My wife is abroad for treatment and cannot renew normally.', 'Send any attachments'],
      ['Skip', en('review.ask')],
    ]);
    const h2 = harness({ sim, url, locale: 'en-US', features });
    await play(h2, [
      ['tawasul request', t('en', 'verify:askId')],
      [AHMED, 'code'],
      [OTP, en('askSection')],
      ['Data correction', 'Pick the type'],
      ['Name correction', "Beneficiary's ID number"],
      ['2345678904', 'Correct name in English'],
      ['Ahmed 123', en('invalid.pattern', { field: 'Correct name in English, as in the passport' })],
      ['Ahmed Hassan', 'Describe your request'],
      ['Please correct my English name spelling to match the passport.', 'Send any attachments'],
      ['Skip', 'needs an attachment'],
    ]);
  });

  it('cancel mid-flow sends nothing', async () => {
    const h = harness({ sim, url, features });
    await play(h, [['ابي ارفع طلب تواصل', t('ar', 'verify:askId')], [AHMED, 'رمز'], [OTP, ar('askSection')], ['إلغاء', t('ar', 'cancel.done')]]);
    expect(sim.created.tickets).toBe(0);
  });
});
