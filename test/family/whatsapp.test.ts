/**
 * The family tasks as WhatsApp renders them (Meta's limits: reply buttons ≤ 3 with titles
 * ≤ 20, lists ≤ 10 rows with titles ≤ 24): every question of a permit and a passport update,
 * rendered by the WhatsApp adapter's renderer, passes the fake Graph API's validator; the
 * yes/no and review questions are reply buttons, the member list and the passport review
 * (four choices) are lists, and reviews are plain lines (no cards).
 */
import { describe, expect, it } from 'vitest';
import type { Activity } from 'botbuilder';
import type { Simulator } from '../../sim';
import { renderActivity, type RenderLabels, type WaMessage } from '../../adapters/whatsapp';
import { whyRejected } from '../whatsapp/fakeGraph';
import { ABDULLAH, AHMED, OTP, harness, play, startFamilySim, t, useSimulator, verifyAs } from './support';

let sim: Simulator;
let url: string;
useSimulator(startFamilySim, (running) => ({ sim, url } = running));

const labels: RenderLabels = { choose: 'اختر ما يناسبك:', listButton: 'عرض الخيارات', numberedHint: 'أرسل رقم اختيارك، مثلاً: 1' };

/** The interactive message a turn ends with, after checking every message against the validator. */
function interactiveOf(replies: Partial<Activity>[]): Extract<WaMessage, { type: 'interactive' }>['interactive'] | undefined {
  const messages = replies.flatMap((r) => renderActivity(r, labels).messages);
  for (const m of messages) expect(whyRejected({ messaging_product: 'whatsapp', to: '966500000001', ...m })).toBeUndefined();
  const last = messages.filter((m): m is Extract<WaMessage, { type: 'interactive' }> => m.type === 'interactive').pop();
  return last?.interactive;
}

describe('family tasks within WhatsApp limits', () => {
  it('Arabic permit: list of members, buttons for the review and the cancel question, no cards', async () => {
    const h = harness({ sim, url, channelId: 'whatsapp' });
    const turns = await play(h, [
      ['ابي اصدر تصريح سفر لعيالي', t('ar', 'verify:askId')],
      ...verifyAs(ABDULLAH, 'ar', '05******81'),
      [OTP, t('ar', 'family:permit.chooseIntro')],
      ['سعد', t('ar', 'family:permit.duration', { name: 'سعد عبدالله القحطاني' })],
      ['سنة', t('ar', 'family:permit.review.ask')],
      ['تأكيد', t('ar', 'family:permit.anotherAsk')],
      ['تصريح لفرد آخر', t('ar', 'family:permit.chooseIntro')],
      ['ريم', t('ar', 'family:permit.cancelAsk')],
    ]);
    expect(interactiveOf(turns[2]!)?.type).toBe('list');
    expect(interactiveOf(turns[3]!)?.type).toBe('button');
    expect(interactiveOf(turns[4]!)?.type).toBe('button');
    expect(interactiveOf(turns[5]!)?.type).toBe('button');
    expect(interactiveOf(turns[7]!)?.type).toBe('button');
    expect(turns.flat().flatMap((r) => r.attachments ?? [])).toEqual([]);
  });

  it('English passport update: the country button and the four-way review as a list', async () => {
    const h = harness({ sim, url, channelId: 'whatsapp', locale: 'en-US' });
    const turns = await play(h, [
      ['update my passport info', t('en', 'verify:askId')],
      ...verifyAs(AHMED, 'en', '05******12'),
      [OTP, t('en', 'family:passport.ask.passportNumber')],
      ['A30999888', t('en', 'family:passport.ask.issueDate')],
      ['2026-03-15', t('en', 'family:passport.ask.expiryDate')],
      ['2036-03-14', t('en', 'family:passport.ask.issuingCountry')],
      ['Egypt', 'Passport information review\n• New passport number: A30999888'],
    ]);
    expect(interactiveOf(turns[5]!)?.type).toBe('button');
    expect(interactiveOf(turns[6]!)?.type).toBe('list');
  });
});
