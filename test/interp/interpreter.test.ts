/**
 * The interpreter's order of evidence, on the trained recognizer and no dialogs: answer >
 * correction > question > switch > command > unclear; free text yields only to an exact command.
 */
import { describe, expect, it } from 'vitest';
import { defaultCommandDetector } from '../../dialogs/mainDialog';
import type { Expectation } from '../../dialogs/interpret/expectation';
import { interpret } from '../../dialogs/interpret/interpreter';
import { matchOption } from '../../dialogs/interpret/match';
import { looseYesNo } from '../../dialogs/interpret/read';
import { sharedRecognizer } from '../helpers/transcript';

const PAY: Expectation = {
  kind: 'choice',
  options: [
    { value: 'paid', names: ['سدّدت الفاتورة', 'I have paid', 'سددت', 'سددتها', 'دفعت', 'دفعتها'] },
    { value: 'later', names: ['سأسدّد لاحقاً', "I'll pay later", 'بعدين', 'لاحقا'] },
  ],
  yes: 'paid',
  no: 'later',
};
const DURATION_FIELD = { name: 'duration', words: ['المده', 'duration'], value: 'months' as const };
const REVIEW: Expectation = {
  kind: 'choice',
  options: [
    { value: 'confirm', names: ['تأكيد', 'Confirm'] },
    { value: 'changeDuration', names: ['تغيير المدة', 'Change the duration'] },
  ],
  yes: 'confirm',
  fields: [DURATION_FIELD, { name: 'dependent', words: ['الفرد', 'member'], value: 'relation' }],
};
const DURATION: Expectation = { kind: 'duration', options: [3, 6, 12].map((m) => ({ value: `months:${m}`, names: [`${m} months`], months: m })) };
const ID: Expectation = { kind: 'number', number: 'id' };
const TEXT: Expectation = { kind: 'text' };

function decide(text: string, expect: Expectation, task = 'iqama.renew') {
  const u = sharedRecognizer().recognize(text);
  return interpret({ text, expect, understanding: u, command: defaultCommandDetector(u, true), task });
}

describe('order of evidence', () => {
  it.each<[string, Expectation, Record<string, unknown>]>([
    // 1. an answer beats the command it also looks like
    ['خلاص سددتها', PAY, { kind: 'answer', value: 'paid' }],
    ['خلاص دفعت', PAY, { kind: 'answer', value: 'paid' }],
    ['لا', PAY, { kind: 'answer', value: 'later' }],
    ['ايه صحيحة', REVIEW, { kind: 'answer', value: 'confirm' }],
    ['ستة شهور', DURATION, { kind: 'answer', value: 'months:6' }],
    ['٦ اشهر لو سمحت', DURATION, { kind: 'answer', value: 'months:6' }],
    ['اسف غلطت، الصحيح ٢٣٤٥٦٧٨٩٠٤', ID, { kind: 'answer', value: '2345678904' }],
    // 2. a correction carrying its value beats the button that only names the field
    ['change the duration to 6 months', REVIEW, { kind: 'correction', field: 'duration', value: 6 }],
    ['لا غلطت، خلها ٦ شهور', REVIEW, { kind: 'correction', field: 'duration', value: 6 }],
    ['ابي اغير المده', REVIEW, { kind: 'correction', field: 'duration' }],
    // 3. a question
    ['قبل لا اختار، وش الشروط المطلوبة للتجديد؟', DURATION, { kind: 'question', faq: 'iqama_requirements' }],
    // 4. a switch to another task (the same task asked again is not one)
    ['لا خلاص، بدال التجديد ابي اعرف وش صار على طلبي 400000101', DURATION, { kind: 'switch', intent: 'status.check' }],
    // 5. a clear command
    ['الغاء', PAY, { kind: 'command', command: 'cancel' }],
    ['ابي اكلم موظف', DURATION, { kind: 'command', command: 'agent' }],
    // 6. unclear
    ['بطاطس مقلية', DURATION, { kind: 'unclear' }],
  ])('«%s»', (text, expect_, decision) => {
    expect(decide(text, expect_)).toMatchObject(decision);
  });

  it('asking for the task in progress is not a switch', () => {
    expect(decide('ابي اجدد اقامة', DURATION).kind).not.toBe('switch');
  });

  it('free text is taken as typed; only an exact command interrupts it', () => {
    expect(decide('ابي اكلم موظف بخصوص اسمي المكتوب غلط في الاقامة', TEXT)).toMatchObject({ kind: 'answer' });
    expect(decide('وش الشروط المطلوبة للتجديد؟', TEXT)).toMatchObject({ kind: 'answer' });
    expect(decide('إلغاء', TEXT)).toMatchObject({ kind: 'command', command: 'cancel' });
  });
});

describe('loose option matching and yes/no', () => {
  const SECTIONS = [
    { value: 's1', names: ['تصحيح البيانات', 'Data correction'] },
    { value: 's2', names: ['الاستفسارات العامة', 'General inquiries'] },
    { value: 's3', names: ['تمديد الإقامات', 'Iqama extension'] },
  ];
  it.each([
    ['استفسار عام', 's2'],
    ['ابي استفسار عام', 's2'],
    ['general inquiry', 's2'],
    ['تصحيح بيانات', 's1'],
    ['تمديد اقامه', 's3'],
    ['genral inquiries', 's2'],
  ])('«%s» → %s', (text, value) => expect(matchOption(text, SECTIONS)?.value).toBe(value));

  it('matches nothing for unrelated words', () => expect(matchOption('بطاطس', SECTIONS)).toBeUndefined());

  it.each([
    ['ايه صحيحة', true],
    ['yes that is right', true],
    ['لا مو صحيح', false],
    ['ايه لا', undefined],
  ])('«%s» → %s', (text, value) => expect(looseYesNo(text)).toBe(value));
});

describe("a switch backed by the task's own entity", () => {
  const at = (score: number, requestNumber?: string) =>
    interpret({
      text: 'forget that, track 400000101 instead',
      expect: DURATION,
      understanding: { ...sharedRecognizer().recognize('forget that, track 400000101 instead'), intent: 'status.check', score, alternative: undefined, entities: requestNumber ? { requestNumber } : {} },
      task: 'iqama.renew',
    });
  it('a status request with its number switches at a lower score', () => {
    expect(at(0.43, '400000101')).toEqual({ kind: 'switch', intent: 'status.check' });
  });
  it('without the number the same score is not enough', () => {
    expect(at(0.43).kind).not.toBe('switch');
  });
  it('and a weak guess with a number still is not a switch', () => {
    expect(at(0.2, '400000101').kind).not.toBe('switch');
  });
});
