/**
 * The end of a Tawasul request as people answer it: "I have no attachments" in a sentence ends
 * the attachments step (the step and the interpreter read it with the same rules), and "yes,
 * send it" at the review files the ticket.
 */
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { AHMED, OTP, harness, play, startStatusSim, t, texts, useSimulator } from './support';

let sim: Simulator;
let url: string;
useSimulator(startStatusSim, (running) => ({ sim, url } = running));

const TICKET = /7000001\d\d/;

describe('no attachments, then yes at the review: the ticket is filed', () => {
  it.each([
    ['ar', 'ما عندي اي مرفقات', 'ايوه ارسل'],
    ['ar', 'لا ما فيه مرفقات', 'اي نعم ارسله'],
    ['en', "I don't have any", 'yes send it'],
    ['en', 'no attachments thanks', 'yep, submit'],
  ] as const)('%s: «%s» → review; «%s» → ticket', async (lang, none, yes) => {
    const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
    const turns = await play(h, [
      [lang === 'ar' ? 'ابي ارفع طلب تواصل' : 'I want to open a Tawasul request', t(lang, 'verify:askId')],
      [AHMED, t(lang, 'verify:askCode', { mobile: '05******12' })],
      [OTP, t(lang, 'tawasul:askSection')],
      [lang === 'ar' ? 'الاستفسارات العامة' : 'General inquiries', lang === 'ar' ? 'موضوع الاستفسار' : 'Topic'],
      [lang === 'ar' ? 'الجواز' : 'Passport', t(lang, 'tawasul:askDescription', { min: 10, max: 1000 }).slice(0, 15)],
      [lang === 'ar' ? 'كم تاخذ مدة طباعة الجواز الجديد؟' : 'How long does printing a new passport take?', t(lang, 'tawasul:askFiles', { max: 5, hint: '' }).slice(0, 15)],
      [none, t(lang, 'tawasul:review.ask')],
      [yes, TICKET],
    ]);
    expect(texts(turns[6]!)).not.toContain(t(lang, 'tawasul:file.sendOrSkip'));
    expect(sim.created.tickets).toBe(1);
  });
});
