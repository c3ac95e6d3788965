/**
 * Bot Framework activity → WhatsApp Cloud API messages. Pure functions, no I/O.
 *
 * Choices (suggested actions, card buttons, Input.ChoiceSet) are rendered by how many there
 * are and how long their titles are:
 *   ≤ 3 with titles ≤ 20 → reply buttons;
 *   ≤ 10 → an interactive list (titles cut to 24 with the full title as the description,
 *          ≤ 72, when longer; button text ≤ 20);
 *   more → a numbered text menu (the caller remembers the values so "2" or "٢" answers it).
 * The reply id of a button or row is the choice's value, so a tap comes back as that text.
 */
import type { Activity, Attachment, CardAction } from 'botbuilder';
import { z } from 'zod';
import { markdownToWhatsApp, splitText, toTemplateParam, truncate } from './text';

/**
 * What the loopback connector accepts to render: the fields read here, of the kinds read.
 * The bot is the only caller, but a malformed activity gets a 400, not a TypeError and a 500.
 */
export const OutgoingActivity = z
  .object({
    type: z.string(),
    id: z.string().nullish(),
    text: z.string().nullish(),
    textFormat: z.string().nullish(),
    locale: z.string().nullish(),
    attachments: z.array(z.object({ contentType: z.string() }).loose()).nullish(),
    suggestedActions: z.object({}).loose().nullish(),
  })
  .loose();

/** A card action with the kinds choiceOf reads; anything else is skipped, not thrown on. */
const ActionShape = z
  .object({ type: z.string(), title: z.string().nullish(), displayText: z.string().nullish(), text: z.string().nullish(), value: z.unknown() })
  .loose();

export const LIMITS = {
  text: 4096,
  interactiveBody: 1024,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  rows: 10,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  listButton: 20,
  templateParam: 1000,
  caption: 1024,
} as const;

export interface Choice {
  title: string;
  value: string;
}

export type WaMessage =
  | { type: 'text'; text: { body: string; preview_url?: boolean } }
  | {
      type: 'interactive';
      interactive:
        | { type: 'button'; body: { text: string }; action: { buttons: Array<{ type: 'reply'; reply: { id: string; title: string } }> } }
        | {
            type: 'list';
            body: { text: string };
            action: { button: string; sections: Array<{ rows: Array<{ id: string; title: string; description?: string }> }> };
          };
    }
  | { type: 'image'; image: { link: string; caption?: string } }
  | { type: 'document'; document: { link: string; filename?: string; caption?: string } }
  | {
      type: 'template';
      template: { name: string; language: { code: string }; components: Array<{ type: 'body'; parameters: Array<{ type: 'text'; text: string }> }> };
    };

/** Localised words the renderer needs (it has no translator of its own). */
export interface RenderLabels {
  /** Body of an interactive message that has no text of its own. */
  choose: string;
  /** The list's open button. */
  listButton: string;
  /** Under a numbered menu: "Reply with the number of your choice." */
  numberedHint: string;
}

export interface Rendered {
  messages: WaMessage[];
  /** Values of a numbered menu, in order (1-based on screen). */
  menu?: string[];
  /** Whether the activity asked the user to choose (a newer question replaces an older menu). */
  hasChoices: boolean;
  /** Everything as one line for a template parameter (outside the 24-hour window). */
  summary: string;
}

interface Flattened {
  lines: string[];
  choices: Choice[];
  media: WaMessage[];
}

const CHOICE_ACTIONS = new Set(['imBack', 'postBack', 'messageBack']);

function choiceOf(action: CardAction): Choice | undefined {
  if (!CHOICE_ACTIONS.has(action.type)) return undefined;
  const value =
    action.type === 'messageBack'
      ? (action.text ?? (typeof action.value === 'string' ? action.value : undefined))
      : typeof action.value === 'string'
        ? action.value
        : undefined;
  const title = String(action.title ?? action.displayText ?? value ?? '').trim();
  const v = (value ?? title).trim();
  return title && v ? { title, value: v } : undefined;
}

function actionsInto(out: Flattened, actions: unknown): void {
  for (const raw of arr(actions)) {
    const shape = ActionShape.safeParse(raw);
    if (!shape.success) continue;
    const action = shape.data as CardAction;
    const choice = choiceOf(action);
    if (choice) out.choices.push(choice);
    else if ((action.type === 'openUrl' || action.type === 'call') && typeof action.value === 'string') {
      out.lines.push(`${action.title ? `${action.title}: ` : ''}${action.value.replace(/^tel:/, '')}`);
    }
  }
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Json[]) : []);

function adaptiveActionsInto(out: Flattened, actions: Json[]): void {
  for (const a of actions) {
    const title = str(a.title);
    if (a.type === 'Action.Submit' || a.type === 'Action.Execute') {
      const data = a.data as Json | string | undefined;
      const teams = typeof data === 'object' && data ? (data.msteams as Json | undefined) : undefined;
      const value = typeof data === 'string' ? data : (str(teams?.value) ?? str(teams?.text) ?? title);
      if (title && value) out.choices.push({ title, value });
    } else if (a.type === 'Action.OpenUrl' && str(a.url)) {
      out.lines.push(`${title ? `${title}: ` : ''}${a.url as string}`);
    }
  }
}

function adaptiveElementsInto(out: Flattened, elements: Json[]): void {
  for (const el of elements) {
    switch (el.type) {
      case 'TextBlock': {
        const text = str(el.text);
        if (text) out.lines.push(el.weight === 'Bolder' || el.size === 'Large' || el.size === 'ExtraLarge' ? `**${text}**` : text);
        break;
      }
      case 'RichTextBlock': {
        const text = arr(el.inlines).map((i) => str(i.text) ?? '').join('') || (Array.isArray(el.inlines) ? el.inlines.filter((i) => typeof i === 'string').join('') : '');
        if (text.trim()) out.lines.push(text);
        break;
      }
      case 'FactSet':
        for (const f of arr(el.facts)) out.lines.push(`**${str(f.title) ?? ''}**: ${str(f.value) ?? ''}`);
        break;
      case 'Container':
        adaptiveElementsInto(out, arr(el.items));
        break;
      case 'ColumnSet':
        for (const c of arr(el.columns)) adaptiveElementsInto(out, arr(c.items));
        break;
      case 'ActionSet':
        adaptiveActionsInto(out, arr(el.actions));
        break;
      case 'Input.ChoiceSet':
        for (const c of arr(el.choices)) {
          const title = str(c.title);
          if (title) out.choices.push({ title, value: str(c.value) ?? title });
        }
        break;
      default:
        break; // Images and inputs have no WhatsApp text equivalent.
    }
  }
}

function attachmentInto(out: Flattened, att: Attachment): void {
  const content = (att.content ?? {}) as Json;
  switch (att.contentType) {
    case 'application/vnd.microsoft.card.adaptive':
      adaptiveElementsInto(out, arr(content.body));
      adaptiveActionsInto(out, arr(content.actions));
      return;
    case 'application/vnd.microsoft.card.hero':
    case 'application/vnd.microsoft.card.thumbnail': {
      const title = str(content.title);
      if (title) out.lines.push(`**${title}**`);
      if (str(content.subtitle)) out.lines.push(content.subtitle as string);
      if (str(content.text)) out.lines.push(content.text as string);
      actionsInto(out, content.buttons);
      return;
    }
    default: {
      const link = att.contentUrl;
      if (link && /^https?:\/\//.test(link)) {
        out.media.push(
          att.contentType.startsWith('image/')
            ? { type: 'image', image: { link } }
            : { type: 'document', document: { link, ...(att.name ? { filename: att.name } : {}) } },
        );
      } else if (att.name) out.lines.push(att.name);
    }
  }
}

function uniqueByValue(choices: Choice[]): Choice[] {
  const seen = new Set<string>();
  return choices.filter((c) => (seen.has(c.value) ? false : (seen.add(c.value), true)));
}

function textMessages(text: string): WaMessage[] {
  return splitText(text, LIMITS.text).map((body) => ({ type: 'text', text: { body } }));
}

/** Text before the interactive message goes in text messages; the last ≤ 1024 units become its body. */
function withInteractiveBody(text: string, fallback: string): { lead: WaMessage[]; body: string } {
  if (!text) return { lead: [], body: fallback };
  if (text.length <= LIMITS.interactiveBody) return { lead: [], body: text };
  const pieces = splitText(text, LIMITS.interactiveBody);
  const body = pieces[pieces.length - 1] ?? fallback;
  const lead = text.slice(0, text.lastIndexOf(body)).trim();
  return { lead: textMessages(lead), body };
}

/** Reply ids come back as the user's message text; distinct ids are required by the API. */
function replyIds(choices: Choice[], max: number): string[] | undefined {
  const ids = choices.map((c) => truncate(c.value, max));
  return new Set(ids).size === ids.length ? ids : undefined;
}

export function renderChoices(text: string, all: Choice[], labels: RenderLabels): { messages: WaMessage[]; menu?: string[] } {
  const choices = uniqueByValue(all);
  if (choices.length <= LIMITS.buttons && choices.every((c) => c.title.length <= LIMITS.buttonTitle)) {
    const ids = replyIds(choices, LIMITS.buttonId);
    const titles = new Set(choices.map((c) => c.title));
    if (ids && titles.size === choices.length) {
      const { lead, body } = withInteractiveBody(text, labels.choose);
      return {
        messages: [
          ...lead,
          {
            type: 'interactive',
            interactive: {
              type: 'button',
              body: { text: body },
              action: { buttons: choices.map((c, i) => ({ type: 'reply', reply: { id: ids[i] as string, title: c.title } })) },
            },
          },
        ],
      };
    }
  }
  if (choices.length <= LIMITS.rows) {
    const ids = replyIds(choices, LIMITS.rowId);
    if (ids) {
      const { lead, body } = withInteractiveBody(text, labels.choose);
      const rows = choices.map((c, i) => ({
        id: ids[i] as string,
        title: truncate(c.title, LIMITS.rowTitle),
        ...(c.title.length > LIMITS.rowTitle ? { description: truncate(c.title, LIMITS.rowDescription) } : {}),
      }));
      return {
        messages: [
          ...lead,
          {
            type: 'interactive',
            interactive: { type: 'list', body: { text: body }, action: { button: truncate(labels.listButton, LIMITS.listButton), sections: [{ rows }] } },
          },
        ],
      };
    }
  }
  const menu = choices.map((c, i) => `${i + 1}. ${c.title}`).join('\n');
  return {
    messages: textMessages([text, menu, labels.numberedHint].filter(Boolean).join('\n\n')),
    menu: choices.map((c) => c.value),
  };
}

export function renderActivity(activity: Partial<Activity>, labels: RenderLabels): Rendered {
  const out: Flattened = { lines: [], choices: [], media: [] };
  if (activity.text) out.lines.push(activity.text);
  for (const att of activity.attachments ?? []) attachmentInto(out, att);
  actionsInto(out, activity.suggestedActions?.actions);
  const joined = out.lines.join('\n\n').trim();
  const text = activity.textFormat === 'plain' ? joined : markdownToWhatsApp(joined);
  // A template has no buttons: choice titles in it would point at buttons that are not there.
  const summary = toTemplateParam(text, LIMITS.templateParam);
  if (out.choices.length === 0) return { messages: withMedia(text, out.media), hasChoices: false, summary };
  const rendered = renderChoices(text, out.choices, labels);
  return { messages: [...out.media, ...rendered.messages], menu: rendered.menu, hasChoices: true, summary };
}

/**
 * Text and files in reading order: one file with a short text goes as one message, the text
 * as its caption; otherwise the text comes first and the files after it (a file before its
 * explanation, or the sender's name after a photo, reads wrong).
 */
function withMedia(text: string, media: WaMessage[]): WaMessage[] {
  const [only] = media;
  if (media.length === 1 && text && text.length <= LIMITS.caption && only && (only.type === 'image' || only.type === 'document')) {
    return [only.type === 'image' ? { type: 'image', image: { ...only.image, caption: text } } : { type: 'document', document: { ...only.document, caption: text } }];
  }
  return [...(text ? textMessages(text) : []), ...media];
}

/** The approved template that carries a message outside the 24-hour window. */
export function templateMessage(name: string, language: string, param: string | readonly string[]): WaMessage {
  const params = typeof param === 'string' ? [param] : param;
  return {
    type: 'template',
    template: {
      name,
      language: { code: language },
      components: [{ type: 'body', parameters: params.map((p) => ({ type: 'text' as const, text: toTemplateParam(p, LIMITS.templateParam) })) }],
    },
  };
}
