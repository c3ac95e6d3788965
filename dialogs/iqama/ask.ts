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
import type { CorrectableField, Expectation, StepOption } from '../interpret/expectation';
import { optionsOf } from '../interpret/openStep';
import { firstName, relationsOf } from '../interpret/options';
import { readStep } from '../interpret/read';
import { dependentsFor, validityPhrase } from '../status/format';
import { turnLang } from '../turnState';
import { maskId } from '../understanding/idNumber';
import { normalizeForMatching, type Lang } from '../understanding/normalize';
import type { Relation } from '../understanding/types';
import { genderOf } from '../format/gender';

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

/** For wording that agrees with the person described (one rule: format/gender.ts). */
export { genderOf };

/** The members whose first name (either language) is a word of the message. */
export function namedIn<T extends Pick<Dependent, 'name'>>(text: string, dependents: T[]): T[] {
  // "my daughter Layla's iqama": the possessive and punctuation are not part of the name.
  const typed = normalizeForMatching(text).replace(/['’]s\b/g, '').split(/[\s,.?!،؟]+/);
  // «لسعد», «لريم»: the preposition joined to the name.
  const words = new Set([...typed, ...typed.filter((w) => /^ل.{2,}/.test(w)).map((w) => w.slice(1))]);
  const first = (name: string) => normalizeForMatching(name).split(' ')[0] ?? '';
  return dependents.filter((d) => words.has(first(d.name.ar)) || words.has(first(d.name.en)));
}

/**
 * The member a task can take without asking: the only one of the relation named («ولدي»), or
 * the only one whose first name the opening message holds («تصريح ريم»). Undefined: ask, among `shown`.
 */
export function preselect(list: Dependent[], relation: Relation | undefined, opening: string | undefined): { chosen?: Dependent; shown: Dependent[] } {
  const matching = dependentsFor(list, relation);
  if (relation && matching.length === 1) return { chosen: matching[0]!, shown: matching };
  const shown = relation && matching.length > 1 ? matching : list;
  const named = opening ? namedIn(opening, shown) : [];
  return named.length === 1 ? { chosen: named[0]!, shown } : { shown };
}

/** Answers that are not one of the renewal's own values: the router takes the menu's titles first. */
export type NextStep =
  | 'another' | 'retry' | 'confirm' | 'changeDependent' | 'changeDuration' | 'paid' | 'later' | 'checkAgain'
  // family services (travel permits, passport update)
  | 'cancelPermit' | 'keepPermit' | 'issue' | 'changeNumber' | 'changeDates' | 'changeCountry';

export type AskSpec =
  | {
      kind: 'dependent';
      dependents: DependentView[];
      /** Typing the full ID number picks the dependent: kept only while this question is open. */
      idNumbers: string[];
      filtered: boolean;
      noHolders: boolean;
      /** Another task's intro key (default: the renewal's). */
      intro?: string;
      /** Another task's line per member (a travel permit's state) instead of the iqama's validity. */
      details?: Bilingual[];
    }
  | {
      kind: 'duration';
      name: Bilingual;
      durations: Array<{ months: number; fee?: number }>;
      /** Another task's keys: the question, its retry and one option (count, fee). */
      texts?: { ask: string; again: string; option: string };
    }
  /**
   * A review as facts (label key, value in both languages) with buttons; corrections may name
   * the fields given. Rendered like the renewal's review: a card, or lines on WhatsApp.
   */
  | {
      kind: 'facts';
      title: string;
      facts: Array<[string, Bilingual]>;
      ask: string;
      askAgain: string;
      keys: Array<[NextStep, string]>;
      yes?: NextStep;
      fields?: CorrectableField[];
    }
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
      /** The task's closing question (Expectation.closing). */
      closing?: boolean;
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

/** A review: an Adaptive Card where cards render (right-to-left in Arabic), plain lines on WhatsApp. */
function factsCard(lang: Lang, channelId: string, title: string, facts: Array<[string, string]>, ask: Partial<Activity>, retry: Partial<Activity>, choices: Choice[]): Rendered {
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

export function renderAsk(t: Translate, lang: Lang, channelId: string, spec: AskSpec, now: Date): Rendered {
  switch (spec.kind) {
    case 'dependent': {
      const lines = spec.dependents.map((d, i) =>
        t(lang, `${NS}dependentLine`, {
          n: i + 1,
          name: d.name[lang],
          relation: d.relationshipLabel[lang],
          id: d.idMasked,
          validity: spec.details?.[i]?.[lang] ?? (d.iqamaExpiry ? validityPhrase(t, lang, d.iqamaExpiry, now) : t(lang, `${NS}noIqama`, { context: genderOf(d) })),
        }),
      );
      const intro = t(lang, spec.filtered ? `${NS}chooseAmong` : spec.intro ?? `${NS}${spec.noHolders ? 'chooseIntroNoHolders' : 'chooseIntro'}`);
      const choices = spec.dependents.map((d, i): Choice => {
        const title = `${d.name[lang]} (${d.relationshipLabel[lang]})`;
        const id = spec.idNumbers[i];
        return { value: d.id, action: { type: ActionTypes.ImBack, title, value: title }, synonyms: [d.name.ar, d.name.en, firstName(d.name.ar), firstName(d.name.en), d.idMasked.slice(-4), ...(id ? [id] : [])] };
      });
      return {
        activity: localized(t, lang, { key: `${NS}choose`, args: { intro, list: lines.join('\n') } }),
        retry: localized(t, lang, { key: `${NS}chooseAgain` }),
        choices,
      };
    }
    case 'duration': {
      const texts = spec.texts ?? { ask: `${NS}duration`, again: `${NS}durationAgain`, option: `${NS}durationOption` };
      const choices = spec.durations.map((d): Choice => {
        const title = t(lang, texts.option, { count: d.months, fee: d.fee });
        return { value: `months:${d.months}`, action: { type: ActionTypes.ImBack, title, value: title }, synonyms: [String(d.months), ...LANGS.map((l) => t(l, texts.option, { count: d.months, fee: d.fee }))] };
      });
      return {
        activity: localized(t, lang, { key: texts.ask, args: { name: spec.name[lang] } }),
        retry: localized(t, lang, { key: texts.again }),
        choices,
      };
    }
    case 'review': {
      const choices = (['confirm', 'changeDependent', 'changeDuration'] as const).map((v) => staticChoice(t, lang, v, `${NS}next.${v}`));
      return factsCard(lang, channelId, t(lang, `${NS}review.title`), reviewFacts(t, lang, spec), localized(t, lang, { key: `${NS}review.ask` }), localized(t, lang, { key: `${NS}review.askAgain` }), choices);
    }
    case 'facts': {
      const choices = spec.keys.map(([value, key]) => staticChoice(t, lang, value, key));
      const facts = spec.facts.map(([k, v]): [string, string] => [t(lang, k), v[lang]]);
      return factsCard(lang, channelId, t(lang, spec.title), facts, localized(t, lang, { key: spec.ask }), localized(t, lang, { key: spec.askAgain }), choices);
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

/** Fields the review lets the user correct by naming them ("غيّر المدة", "change the duration to 6 months"). */
export const CORRECTABLE: Record<'duration' | 'dependent', CorrectableField> = {
  duration: { name: 'duration', words: ['المده', 'مده', 'مدة', 'المدة', 'duration', 'period', 'months', 'الشهور', 'فتره', 'الفتره'], value: 'months' },
  dependent: { name: 'dependent', words: ['فرد الاسره', 'الفرد', 'الشخص', 'التابع', 'member', 'person', 'dependent', 'family member'], value: 'relation' },
};

/**
 * What the question expects, for the interpreter and this prompt alike: the options (a member
 * also by relation or full ID number, a duration also by months, a plain yes/no where the
 * question reads as one) and, once something was chosen, the fields a correction may name.
 */
export function expectationFor(spec: AskSpec, choices: Choice[]): Expectation {
  const options: StepOption[] = optionsOf(choices);
  switch (spec.kind) {
    case 'dependent':
      spec.dependents.forEach((d, i) => {
        options[i]!.relations = relationsOf(d);
      });
      return { kind: 'choice', options };
    case 'duration':
      spec.durations.forEach((d, i) => (options[i]!.months = d.months));
      return { kind: 'duration', options, fields: [CORRECTABLE.dependent] };
    case 'review':
      options.find((o) => o.value === 'confirm')?.names.push(...CONFIRM_WORDS);
      return { kind: 'choice', options, yes: 'confirm', fields: [CORRECTABLE.duration, CORRECTABLE.dependent] };
    case 'facts':
      if (spec.yes) options.find((o) => o.value === spec.yes)?.names.push(...CONFIRM_WORDS);
      return { kind: 'choice', options, ...(spec.yes ? { yes: spec.yes } : {}), ...(spec.fields ? { fields: spec.fields } : {}) };
    case 'buttons':
      return { kind: 'choice', options, ...(spec.yes ? { yes: spec.yes } : {}), ...(spec.no ? { no: spec.no } : {}), ...(spec.closing ? { closing: true } : {}) };
  }
}

/** Other ways people confirm a review («أكد», "looks good, go ahead"). */
const CONFIRM_WORDS = ['اكد', 'اكده', 'كمل', 'تابع', 'موافق', 'go ahead', 'looks good', 'proceed', 'all good'];

/** What the prompt returns: a choice, or a correction of a field already collected. */
export type AskResult = FoundChoice & { correction?: { field: string; value?: string | number } };

export type AskOptions = PromptOptions & { validations: AskSpec; expect: Expectation };

/** A choice prompt whose question is re-rendered, in the turn's language, every time it is shown. */
export class AskPrompt extends Prompt<AskResult> {
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

  protected async onRecognize(context: TurnContext, _state: object, options: PromptOptions): Promise<PromptRecognizerResult<AskResult>> {
    const { choices } = this.render(context, options);
    const reading = readStep(context.activity.text ?? '', expectationFor(options.validations as AskSpec, choices));
    if (reading?.type === 'answer') return { succeeded: true, value: { value: String(reading.value), index: reading.index ?? 0, score: 1 } };
    if (reading?.type === 'correction') return { succeeded: true, value: { value: 'correct', index: -1, score: 1, correction: { field: reading.field, ...(reading.value !== undefined ? { value: reading.value } : {}) } } };
    return { succeeded: false };
  }
}

/** Prompt options for an AskPrompt (the spec rides in `validations`, which botbuilder keeps as is). */
export function ask(t: Translate, lang: Lang, channelId: string, spec: AskSpec, now: Date): AskOptions {
  const r = renderAsk(t, lang, channelId, spec, now);
  return { prompt: r.activity, retryPrompt: r.retry, choices: r.choices, validations: spec, expect: expectationFor(spec, r.choices) };
}
