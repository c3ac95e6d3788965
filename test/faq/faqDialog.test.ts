import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Activity, ConversationState, MemoryStorage, TestAdapter, UserState } from 'botbuilder';
import { DialogSet, type DialogState } from 'botbuilder-dialogs';
import { createTranslator, LOCALES_DIR } from '../../bot/i18n';
import { faqAnswer, FaqDialog, faqDialogFactory, type FaqDialogOptions } from '../../dialogs/faqDialog';
import { DIALOG_IDS } from '../../dialogs/mainDialog';
import { buildTitleIndex } from '../../dialogs/menu';
import { setTurnLang } from '../../dialogs/turnState';
import type { FeatureDeps } from '../../dialogs/registry';
import type { ConversationData, UserProfile } from '../../dialogs/deps';
import { detectLanguage, normalizeForMatching, type Lang } from '../../dialogs/understanding/normalize';
import { FAQ_IDS, type FaqId, type Recognizer, type Understanding } from '../../dialogs/understanding/types';
import { startApp } from '../helpers/app';
import { buttons, say, texts } from '../helpers/http';
import type { App } from '../../bot/app';

interface Entry {
  question: string;
  answer: string;
  source: string;
  related: string[];
}
type Base = Record<FaqId, Entry> & { ui: Record<string, string> };

const LANGS: Lang[] = ['ar', 'en'];
const QUESTION_MAX: Record<Lang, number> = { ar: 40, en: 45 };
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SEEDS_DIR = path.resolve(repoRoot, '../shared/seeds');

const base: Record<Lang, Base> = {
  ar: JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, 'ar', 'faq.json'), 'utf8')) as Base,
  en: JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, 'en', 'faq.json'), 'utf8')) as Base,
};
const { t } = createTranslator();
const cases: Array<[Lang, FaqId]> = LANGS.flatMap((lang) => FAQ_IDS.map((id): [Lang, FaqId] => [lang, id]));

describe('FAQ knowledge base', () => {
  it.each(LANGS)('%s has exactly the 17 design ids plus ui', (lang) => {
    expect(Object.keys(base[lang]).sort()).toEqual([...FAQ_IDS, 'ui'].sort());
    expect(Object.keys(base[lang].ui).sort()).toEqual(['anythingElse', 'relatedPrompt', 'unknown']);
  });

  it.each(cases)('%s:%s has a short question, a real answer and 2-3 valid related ids', (lang, id) => {
    const e = base[lang][id];
    expect(e.question.trim().length, 'question').toBeGreaterThan(5);
    expect([...e.question].length, 'question fits a button').toBeLessThanOrEqual(QUESTION_MAX[lang]);
    expect(e.answer.trim().length, 'answer').toBeGreaterThan(40);
    if (lang === 'ar') expect(e.answer, 'Arabic answer').toMatch(/[\u0600-\u06FF]{3}/);
    expect(e.related.length).toBeGreaterThanOrEqual(2);
    expect(e.related.length).toBeLessThanOrEqual(3);
    expect(new Set(e.related).size, 'no duplicates').toBe(e.related.length);
    for (const r of e.related) {
      expect(FAQ_IDS as readonly string[], `${id} → ${r}`).toContain(r);
      expect(r, 'not itself').not.toBe(id);
    }
  });

  it.each(FAQ_IDS)('%s has the same source and related ids in both languages', (id) => {
    expect(base.ar[id].source).toBe(base.en[id].source);
    expect(base.ar[id].related).toEqual(base.en[id].related);
  });

  it.each(FAQ_IDS)('%s names an existing seed file', (id) => {
    const source = base.ar[id].source;
    expect(source).toMatch(/^\d{3}_[0-9a-f]{16}\.txt$/);
    if (!fs.existsSync(SEEDS_DIR)) {
      console.warn(`seeds directory ${SEEDS_DIR} is absent (clean clone?): not checking that ${source} exists`);
      return;
    }
    expect(fs.existsSync(path.join(SEEDS_DIR, source)), `${SEEDS_DIR}/${source}`).toBe(true);
  });

  it.each(LANGS)('%s questions are distinct and do not shadow a menu or intent title', (lang) => {
    const titles = buildTitleIndex(t);
    const seen = new Set<string>();
    for (const id of FAQ_IDS) {
      const key = normalizeForMatching(base[lang][id].question);
      expect(seen.has(key), `${id} repeats a question`).toBe(false);
      expect(titles.get(key), `${id} collides with a menu title`).toBeUndefined();
      seen.add(key);
    }
  });
});

/** Runs one turn of the FAQ dialog on botbuilder's TestAdapter and returns what it sent. */
async function runFaqTurn(lang: Lang, options: FaqDialogOptions): Promise<{ replies: Partial<Activity>[]; stackAfter: number }> {
  const storage = new MemoryStorage();
  const convoState = new ConversationState(storage);
  const userState = new UserState(storage);
  const dialogState = convoState.createProperty<DialogState>('dialogState');
  const deps: FeatureDeps = {
    t,
    recognizer: { recognize: (text) => ({ language: detectLanguage(text), normalized: text, intent: 'none', score: 0, entities: {} }) },
    state: {
      profile: userState.createProperty<UserProfile>('profile'),
      conversation: convoState.createProperty<ConversationData>('conversation'),
    },
  };
  const dialogs = new DialogSet(dialogState).add(faqDialogFactory(deps));
  let stackAfter = -1;
  const adapter = new TestAdapter(async (context) => {
    setTurnLang(context, lang);
    const dc = await dialogs.createContext(context);
    await dc.beginDialog(DIALOG_IDS.faq, options);
    stackAfter = dc.stack.length;
    await convoState.saveChanges(context);
  });
  await adapter.send(options.text);
  const replies: Partial<Activity>[] = [];
  for (let a = adapter.getNextReply(); a; a = adapter.getNextReply()) replies.push(a);
  return { replies, stackAfter };
}

describe('FAQ dialog (TestAdapter)', () => {
  it('is registered under the router id', () => {
    expect(new FaqDialog({} as FeatureDeps).id).toBe('faq');
  });

  it.each(cases)('%s:%s answers in one message with the related questions as buttons, then ends', async (lang, id) => {
    const { replies, stackAfter } = await runFaqTurn(lang, { text: base[lang][id].question, faq: id });
    expect(replies).toHaveLength(1);
    const reply = replies[0] as Partial<Activity>;
    expect(reply.text).toContain(base[lang][id].answer);
    expect(reply.text).toContain(base[lang].ui.anythingElse);
    expect(reply.text).toContain(base[lang].ui.relatedPrompt);
    const expected = base[lang][id].related.map((r) => base[lang][r as FaqId].question);
    expect(reply.suggestedActions?.actions.map((a) => [a.type, a.title, a.value])).toEqual(expected.map((q) => ['imBack', q, q]));
    expect(stackAfter, 'the answer is one turn').toBe(0);
  });

  it.each(LANGS)('%s: a question the base cannot answer offers an agent and Tawasul, titled as the main menu', async (lang) => {
    const { replies, stackAfter } = await runFaqTurn(lang, { text: 'what is the capital of Mars?' });
    expect(replies).toHaveLength(1);
    const reply = replies[0] as Partial<Activity>;
    expect(reply.text).toBe(base[lang].ui.unknown);
    const titles = reply.suggestedActions?.actions.map((a) => String(a.title)) ?? [];
    expect(titles).toEqual([t(lang, 'menu.agent'), t(lang, 'menu.tawasul')]);
    // MainDialog routes a tapped button by exact title: these must land on agent and Tawasul.
    const index = buildTitleIndex(t);
    expect(titles.map((title) => index.get(normalizeForMatching(title)))).toEqual(['agent', 'tawasul.create']);
    expect(stackAfter).toBe(0);
  });

  it('an id that is not in the base is treated as unknown, never shown as a raw key', async () => {
    const { replies } = await runFaqTurn('en', { text: 'x', faq: 'no_such_id' as FaqId });
    expect(replies[0]?.text).toBe(base.en.ui.unknown);
  });

  it('faqAnswer is the activity the dialog sends (reused by channel tests)', () => {
    const a = faqAnswer(t, 'ar', 'iqama_requirements');
    expect(a.text?.startsWith(base.ar.iqama_requirements.answer)).toBe(true);
    expect(a.suggestedActions?.actions).toHaveLength(base.ar.iqama_requirements.related.length);
  });
});

/**
 * Stands in for the classifier the lead trains on the question titles: a question title in
 * either language is that FAQ; "faq?" is a question the base cannot answer.
 */
function questionRecognizer(): Recognizer {
  const byTitle = new Map<string, FaqId>();
  for (const lang of LANGS) for (const id of FAQ_IDS) byTitle.set(normalizeForMatching(base[lang][id].question), id);
  return {
    recognize(text: string): Understanding {
      const normalized = normalizeForMatching(text);
      const faq = byTitle.get(normalized);
      const unknown = /\bmars\b|المريخ/.test(normalized);
      return {
        language: detectLanguage(text),
        normalized,
        intent: faq || unknown ? 'faq' : 'none',
        score: faq || unknown ? 0.9 : 0.1,
        faq,
        entities: {},
      };
    },
  };
}

describe('FAQ through the main dialog (real HTTP)', () => {
  let app: App & { baseUrl: string };
  beforeAll(async () => {
    app = await startApp({}, { recognizer: questionRecognizer(), features: [faqDialogFactory] });
  });
  afterAll(async () => {
    await app.close();
  });

  it.each(LANGS)('%s: ask, then tap a related question, then ask something unanswerable', async (lang) => {
    const locale = lang === 'ar' ? 'ar-SA' : 'en-US';
    const conv = `faq-http-${lang}-${Date.now()}`;
    const b = base[lang];
    const first = await say(app.baseUrl, conv, b.tawasul_scope.question, { locale });
    expect(texts(first).join('\n')).toContain(b.tawasul_scope.answer);
    const related = b.tawasul_scope.related.map((r) => b[r as FaqId].question);
    expect(buttons(first)).toEqual(related);

    const tapped = await say(app.baseUrl, conv, related[0] as string, { locale });
    const next = b[b.tawasul_scope.related[0] as FaqId];
    expect(texts(tapped).join('\n')).toContain(next.answer);

    const unknown = await say(app.baseUrl, conv, lang === 'ar' ? 'كم يبعد المريخ؟' : 'how far is mars?', { locale });
    expect(texts(unknown).join('\n')).toContain(b.ui.unknown);
    expect(buttons(unknown)).toEqual([t(lang, 'menu.agent'), t(lang, 'menu.tawasul')]);

    // The agent offer is routed by MainDialog's title index (no hub wired here: "not yet").
    const agent = await say(app.baseUrl, conv, t(lang, 'menu.agent'), { locale });
    expect(texts(agent).join('\n')).toContain(t(lang, 'menu.notYet'));
  });
});
