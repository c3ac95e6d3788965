/**
 * An FAQ conversation in Arabic over WhatsApp with the trained recognizer and the real FAQ
 * dialog: a dialect question answered from the knowledge base, the related questions as a
 * list, a tapped row answered in turn, and a question outside the base told so plainly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecognizer } from '../../dialogs/understanding/recognizer';
import { createTranslator } from '../../bot/i18n';
import { bodyOf, choicesOf, msg, startWhatsApp, type WhatsAppHarness } from './support';

const { t } = createTranslator();
let h: WhatsAppHarness;

beforeAll(async () => {
  h = await startWhatsApp({ overrides: { recognizer: createRecognizer() } });
});
afterAll(async () => {
  await h?.close();
});

describe('an Arabic FAQ conversation over WhatsApp', () => {
  it('answers a Gulf-dialect question, offers related questions, follows a tapped one and admits what it cannot answer', async () => {
    const waId = h.newUser();
    await h.say(waId, msg.text('السلام عليكم'));

    // "What does qayyadat mean?" in dialect.
    const answer = await h.say(waId, msg.text('وش يعني حالة طلبي قيدت؟'));
    const body = answer.map(bodyOf).join('\n');
    expect(body).toContain(t('ar', 'faq:transaction_recorded.answer').slice(0, 40));
    // Its related questions (track_request, tawasul_steps) are longer than a reply button
    // allows, so they come as list rows: titles cut to 24, the full question as the row id.
    const related = choicesOf(answer[answer.length - 1]!);
    expect(related.map((c) => c.id)).toEqual([t('ar', 'faq:track_request.question'), t('ar', 'faq:tawasul_steps.question')]);
    const graphemes = (x: string) => [...new Intl.Segmenter('ar', { granularity: 'grapheme' }).segment(x)].length;
    for (const c of related) expect(graphemes(c.title)).toBeLessThanOrEqual(24);

    // Tapping one comes back as its title, which the recognizer routes to that answer.
    const pick = related[0]!;
    const followed = await h.say(waId, msg.listReply(pick.id, pick.title));
    expect(followed.map(bodyOf).join('\n')).toContain(t('ar', 'faq:track_request.answer').slice(0, 40));

    // Banking is not ours: the bot says so and where to go, instead of guessing.
    const outside = await h.say(waId, msg.text('كم رصيدي في البنك الأهلي؟'));
    expect(outside.map(bodyOf).join('\n')).toContain(t('ar', 'elsewhere:intro'));
    expect(outside.map(bodyOf).join('\n')).toContain(t('ar', 'elsewhere:bank'));
  }, 30_000);
});
