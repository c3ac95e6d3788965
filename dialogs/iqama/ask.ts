/**
 * The iqama renewal's questions, rendered from a small spec kept in the prompt's state
 * rather than from text fixed when the question was first asked. A language switch in the
 * middle of a question (MainDialog re-prompts) therefore shows the list, the buttons and the
 * review card in the new language, and answers are matched against titles in both
 * languages. Text parts are built with localized() like every other prompt.
 */
import { ActionTypes, type Activity, CardFactory, type TurnContext } from 'botbuilder';
import { type Choice, type FoundChoice, Prompt, type PromptOptions, type PromptRecognizerResult } from 'botbuilder-dialogs';
import type { Bilingual, Dependent } from '../../adapters/services/types';
import type { Translate } from '../deps';
import { formatBothCalendars } from '../format/dates';
import { localized } from '../localizedPrompt';
import { findChoice } from '../prompts';
import { dependentsFor, validityPhrase } from '../status/format';
import { turnLang } from '../turnState';
import { extractEntities } from '../understanding/entities';
import { maskId } from '../understanding/idNumber';
import type { Lang } from '../understanding/normalize';

const NS = 'iqama:';
const LANGS: readonly Lang[] = ['ar', 'en'];

/** What the dialog keeps of a dependent (no more than the list and the review show). */
export interface DependentView {
  id: string;
  name: Bilingual;
  relationship: Dependent['relationship'];
  relationshipLabel: Bilingual;
  idMasked: string;
  iqamaExpiry: string | null;
}

export function viewOf(d: Dependent): DependentView {
  return { id: d.id, name: d.name, relationship: d.relationship, relationshipLabel: d.relationshipLabel, idMasked: maskId(d.idNumber), iqamaExpiry: d.iqama?.expiryDate ?? null };
}

/** Answers that are not one of the renewal's own values: the router takes the menu's titles first. */
export type NextStep = 'another' | 'retry' | 'confirm' | 'changeDependent' | 'changeDuration' | 'paid' | 'later' | 'checkAgain';

export type AskSpec =
  | {
      kind: 'dependent';
      dependents: DependentView[];
      /** Typing the full ID number picks the dependent: kept only while this question is open. */
      idNumbers: string[];
      filtered: boolean;
      noHolders: boolean;
    }
  | { kind: 'duration'; name: Bilingual; durations: Array<{ months: number; fee: number }> }
  | { kind: 'review'; dependent: DependentView; months: number; fee: number }
  /** A question answered by buttons only; `keys` name iqama:next.* or common keys (menu titles). */
  | {
      kind: 'buttons';
      text: string;
      retry?: string;
      /** [value, title key, key of more words meaning it ("سددت|دفعت")] */
      keys: Array<[NextStep | 'tawasul' | 'agent' | 'menu', string, string?]>;
      /** The value a plain "yes" / "no" ("ايه", "لا") means, where the question reads as one. */
      yes?: NextStep;
      no?: NextStep | 'menu';
    };

interface Rendered {
  activity: Partial<Activity>;
  retry: Partial<Activity>;
  choices: Choice[];
}

function staticChoice(t: Translate, lang: Lang, value: string, key: string, wordsKey?: string): Choice {
  const title = t(lang, key);
  const words = wordsKey ? LANGS.flatMap((l) => t(l, wordsKey).split('|')) : [];
  return { value, action: { type: ActionTypes.ImBack, title, value: title }, synonyms: [...LANGS.map((l) => t(l, key)), ...words] };
}

/** The review as facts: an Adaptive Card where cards render, plain lines on WhatsApp. */
function reviewFacts(t: Translate, lang: Lang, spec: Extract<AskSpec, { kind: 'review' }>): Array<[string, string]> {
  const d = spec.dependent;
  return [
    [t(lang, `${NS}review.dependent`), t(lang, `${NS}review.dependentValue`, { name: d.name[lang], relation: d.relationshipLabel[lang], id: d.idMasked })],
    [t(lang, `${NS}review.expiry`), d.iqamaExpiry ? formatBothCalendars(d.iqamaExpiry, lang) : '—'],
    [t(lang, `${NS}review.duration`), t(lang, `${NS}months`, { count: spec.months })],
    [t(lang, `${NS}review.fee`), t(lang, `${NS}sar`, { amount: spec.fee })],
  ];
}

export function renderAsk(t: Translate, lang: Lang, channelId: string, spec: AskSpec, now: Date): Rendered {
  switch (spec.kind) {
    case 'dependent': {
      const lines = spec.dependents.map((d, i) =>
        t(lang, `${NS}dependentLine`, {
          n: i + 1,
          name: d.name[lang],
          relation: d.relationshipLabel[lang],
          id: d.idMasked,
          validity: d.iqamaExpiry ? validityPhrase(t, lang, d.iqamaExpiry, now) : t(lang, `${NS}noIqama`),
        }),
      );
      const intro = t(lang, `${NS}${spec.filtered ? 'chooseAmong' : spec.noHolders ? 'chooseIntroNoHolders' : 'chooseIntro'}`);
      const choices = spec.dependents.map((d, i): Choice => {
        const title = `${d.name[lang]} (${d.relationshipLabel[lang]})`;
        const id = spec.idNumbers[i];
        return { value: d.id, action: { type: ActionTypes.ImBack, title, value: title }, synonyms: [d.name.ar, d.name.en, d.idMasked.slice(-4), ...(id ? [id] : [])] };
      });
      return {
        activity: localized(t, lang, { key: `${NS}choose`, args: { intro, list: lines.join('\n') } }),
        retry: localized(t, lang, { key: `${NS}chooseAgain` }),
        choices,
      };
    }
    case 'duration': {
      const choices = spec.durations.map((d): Choice => {
        const title = t(lang, `${NS}durationOption`, { count: d.months, fee: d.fee });
        return { value: `months:${d.months}`, action: { type: ActionTypes.ImBack, title, value: title }, synonyms: [String(d.months), ...LANGS.map((l) => t(l, `${NS}durationOption`, { count: d.months, fee: d.fee }))] };
      });
      return {
        activity: localized(t, lang, { key: `${NS}duration`, args: { name: spec.name[lang] } }),
        retry: localized(t, lang, { key: `${NS}durationAgain` }),
        choices,
      };
    }
    case 'review': {
      const facts = reviewFacts(t, lang, spec);
      const title = t(lang, `${NS}review.title`);
      const ask = localized(t, lang, { key: `${NS}review.ask` });
      const choices = (['confirm', 'changeDependent', 'changeDuration'] as const).map((v) => staticChoice(t, lang, v, `${NS}next.${v}`));
      const retry = localized(t, lang, { key: `${NS}review.askAgain` });
      if (channelId === 'whatsapp') {
        return { activity: { ...ask, text: `${title}\n${facts.map(([k, v]) => `• ${k}: ${v}`).join('\n')}\n\n${ask.text ?? ''}` }, retry, choices };
      }
      const card = CardFactory.adaptiveCard({
        type: 'AdaptiveCard',
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        version: '1.5',
        rtl: lang === 'ar',
        body: [
          { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true },
          { type: 'FactSet', facts: facts.map(([k, v]) => ({ title: k, value: v })) },
        ],
      });
      return { activity: { ...ask, attachments: [card] }, retry, choices };
    }
    case 'buttons': {
      const choices = spec.keys.map(([value, key, words]) => staticChoice(t, lang, value, key, words));
      return {
        activity: localized(t, lang, { key: spec.text }),
        retry: localized(t, lang, { key: spec.retry ?? `${NS}choiceAgain` }),
        choices,
      };
    }
  }
}

/** An answer that is not a title: "زوجتي" among the listed dependents, "سنة" for 12 months. */
function understood(spec: AskSpec, text: string, choices: Choice[]): FoundChoice | undefined {
  const entities = extractEntities(text);
  if (spec.kind === 'dependent') {
    if (entities.idNumber) {
      const index = spec.idNumbers.indexOf(entities.idNumber);
      if (index >= 0) return { value: spec.dependents[index]!.id, index, score: 1 };
    }
    if (entities.relation) {
      const matching = dependentsFor(spec.dependents as unknown as Dependent[], entities.relation);
      if (matching.length === 1) {
        const index = spec.dependents.findIndex((d) => d.id === matching[0]!.id);
        return { value: spec.dependents[index]!.id, index, score: 0.9 };
      }
    }
  }
  const yesNo: { yes?: string; no?: string } = spec.kind === 'review' ? { yes: 'confirm' } : spec.kind === 'buttons' ? { yes: spec.yes, no: spec.no } : {};
  const meant = entities.yesNo === undefined ? undefined : entities.yesNo ? yesNo.yes : yesNo.no;
  if (meant) {
    const index = choices.findIndex((c) => c.value === meant);
    if (index >= 0) return { value: meant, index, score: 0.9 };
  }
  if (spec.kind === 'duration' && entities.months !== undefined) {
    const index = choices.findIndex((c) => c.value === `months:${entities.months}`);
    if (index >= 0) return { value: choices[index]!.value, index, score: 1 };
  }
  return undefined;
}

export type AskOptions = PromptOptions & { validations: AskSpec };

/** A choice prompt whose question is re-rendered, in the turn's language, every time it is shown. */
export class AskPrompt extends Prompt<FoundChoice> {
  constructor(
    dialogId: string,
    private readonly t: Translate,
    private readonly now: () => Date,
  ) {
    super(dialogId);
  }

  private render(context: TurnContext, options: PromptOptions): Rendered {
    return renderAsk(this.t, turnLang(context), context.activity.channelId, options.validations as AskSpec, this.now());
  }

  protected async onPrompt(context: TurnContext, _state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    const r = this.render(context, options);
    const actions = r.choices.map((c) => c.action!);
    const activity = isRetry ? r.retry : r.activity;
    await context.sendActivity({ ...activity, suggestedActions: { to: [], actions } });
  }

  protected async onRecognize(context: TurnContext, _state: object, options: PromptOptions): Promise<PromptRecognizerResult<FoundChoice>> {
    const text = context.activity.text ?? '';
    const { choices } = this.render(context, options);
    const found = findChoice(text, choices) ?? understood(options.validations as AskSpec, text, choices);
    return found ? { succeeded: true, value: found } : { succeeded: false };
  }
}

/** Prompt options for an AskPrompt (the spec rides in `validations`, which botbuilder keeps as is). */
export function ask(t: Translate, lang: Lang, channelId: string, spec: AskSpec, now: Date): AskOptions {
  const r = renderAsk(t, lang, channelId, spec, now);
  return { prompt: r.activity, retryPrompt: r.retry, choices: r.choices, validations: spec };
}
