/**
 * Choice, confirm and number prompts that understand Arabic answers (botbuilder's fall back
 * to English for `ar`): titles, list positions in either digit set or as words, dialect yes/no.
 */
import { describe, expect, it } from 'vitest';
import { ConversationState, MemoryStorage, TestAdapter } from 'botbuilder';
import { DialogSet, type DialogState, type FoundChoice, WaterfallDialog } from 'botbuilder-dialogs';
import { createTranslator } from '../../bot/i18n';
import { findChoice, LocalChoicePrompt, LocalConfirmPrompt, LocalNumberPrompt, promptOptions } from '../../dialogs/prompts';
import { setTurnLang, turnLang } from '../../dialogs/turnState';
import { relocalizeStack } from '../../dialogs/localizedPrompt';
import type { Lang } from '../../dialogs/understanding/normalize';

const { t } = createTranslator();
const CHOICES = [
  { value: 'D1001', action: { type: 'imBack', title: 'منى (زوجة)', value: 'منى (زوجة)' }, synonyms: ['mona'] },
  { value: 'D1002', action: { type: 'imBack', title: 'عمر (ابن)', value: 'عمر (ابن)' }, synonyms: ['omar'] },
  { value: 'D1003', action: { type: 'imBack', title: 'ليلى (ابنة)', value: 'ليلى (ابنة)' }, synonyms: ['layla'] },
];

describe('findChoice', () => {
  it.each([
    ['منى (زوجة)', 'D1001'], ['منى', 'D1001'], ['ليلى', 'D1003'], ['omar', 'D1002'], ['Mona', 'D1001'],
    ['2', 'D1002'], ['٢', 'D1002'], ['الثاني', 'D1002'], ['الثالثة', 'D1003'], ['the second', 'D1002'], ['رقم ١', 'D1001'], ['الأخير', 'D1003'],
  ])('%s → %s', (text, value) => expect(findChoice(text, CHOICES)?.value).toBe(value));

  it.each(['٧', 'سارة', 'the fifth', ''])('%s matches nothing', (text) => expect(findChoice(text, CHOICES)).toBeUndefined());
});

function run(locale: string) {
  const state = new ConversationState(new MemoryStorage());
  const dialogs = new DialogSet(state.createProperty<DialogState>('d'));
  dialogs.add(new LocalChoicePrompt('choice'));
  dialogs.add(new LocalConfirmPrompt('confirm', t));
  dialogs.add(new LocalNumberPrompt('number'));
  dialogs.add(new WaterfallDialog('flow', [
    async (s) => s.prompt('choice', promptOptions(t, turnLang(s.context), { key: 'prompts:retry.choice' }, { choices: CHOICES, kind: 'choice' })),
    async (s) => {
      await s.context.sendActivity(`choice:${(s.result as FoundChoice).value}`);
      return s.prompt('confirm', promptOptions(t, turnLang(s.context), { key: 'prompts:retry.confirm' }, { kind: 'confirm' }));
    },
    async (s) => {
      await s.context.sendActivity(`confirm:${String(s.result)}`);
      return s.prompt('number', promptOptions(t, turnLang(s.context), { key: 'prompts:retry.number' }, { kind: 'number' }));
    },
    async (s) => {
      await s.context.sendActivity(`number:${String(s.result)}`);
      return s.endDialog();
    },
  ]));
  // The language middleware and the main dialog's switch, reduced: "english" switches and
  // re-renders the waiting prompt, and the chosen language holds for later turns.
  let lang: Lang | undefined;
  return new TestAdapter(async (context) => {
    if (lang) setTurnLang(context, lang);
    const dc = await dialogs.createContext(context);
    if (context.activity.text === 'english' && dc.activeDialog) {
      lang = 'en';
      setTurnLang(context, lang);
      relocalizeStack(dc.stack, t, lang);
      await dc.repromptDialog();
      await state.saveChanges(context);
      return;
    }
    const r = await dc.continueDialog();
    if (r.status === 'empty') await dc.beginDialog('flow');
    await state.saveChanges(context);
  }, { locale });
}

describe('prompts in a conversation', () => {
  it('Arabic: buttons titled in Arabic, "الثاني", "اي", "ستة"', async () => {
    await run('ar-SA')
      .send('ابدأ').assertReply((a) => expect(a.suggestedActions?.actions.map((x) => x.title)).toEqual(['منى (زوجة)', 'عمر (ابن)', 'ليلى (ابنة)']))
      .send('ما ادري').assertReply(t('ar', 'prompts:retry.choice'))
      .send('الثاني').assertReply('choice:D1002')
      .assertReply((a) => expect(a.suggestedActions?.actions.map((x) => x.title)).toEqual(['نعم', 'لا']))
      .send('ايوه').assertReply('confirm:true')
      .assertReply(t('ar', 'prompts:retry.number'))
      .send('ستة شهور').assertReply('number:6');
  });

  it('Gulf "مو" is no and Arabic-Indic digits count; English answers too', async () => {
    await run('ar-SA').send('ابدأ').assertReply(() => undefined).send('٣').assertReply('choice:D1003').assertReply(() => undefined)
      .send('مو').assertReply('confirm:false').assertReply(() => undefined).send('١٢').assertReply('number:12');
    await run('en-US').send('start').assertReply(() => undefined).send('the first').assertReply('choice:D1001')
      .assertReply((a) => expect(a.suggestedActions?.actions.map((x) => x.title)).toEqual(['Yes', 'No']))
      .send('nope').assertReply('confirm:false').assertReply(() => undefined).send('twelve').assertReply('number:12');
  });

  it('Arabic by title, "اي"/"لا", English "yes", "12 months"', async () => {
    for (const [answer, expected] of [['اي', 'true'], ['لا', 'false'], ['لاء', 'false'], ['yes', 'true'], ['نعم', 'true']] as const) {
      await run('ar-SA').send('ابدأ').assertReply(() => undefined)
        .send('عمر (ابن)').assertReply('choice:D1002').assertReply(() => undefined)
        .send(answer).assertReply(`confirm:${expected}`);
    }
    await run('en-US').send('start').assertReply(() => undefined).send('ليلى').assertReply('choice:D1003').assertReply(() => undefined)
      .send('Yes').assertReply('confirm:true').assertReply(t('en', 'prompts:retry.number'))
      .send('maybe').assertReply(t('en', 'prompts:retry.number'))
      .send('12 months').assertReply('number:12');
  });

  it('a language switch while a prompt waits re-renders it, and the confirm buttons follow', async () => {
    await run('ar-SA')
      .send('ابدأ').assertReply(t('ar', 'prompts:retry.choice'))
      .send('english').assertReply((a) => {
        expect(a.text).toBe(t('en', 'prompts:retry.choice'));
        expect(a.suggestedActions?.actions).toHaveLength(3);
      })
      .send('the second').assertReply('choice:D1002')
      .assertReply((a) => {
        expect(a.text).toBe(t('en', 'prompts:retry.confirm'));
        expect(a.suggestedActions?.actions.map((x) => x.title)).toEqual(['Yes', 'No']);
      })
      .send('ايوه').assertReply('confirm:true');
  });
});
