/**
 * Open a Tawasul request (seed 003): verify → section → transaction type → the fields that
 * type requires (each checked, with the reason when wrong) → a description kept exactly as
 * typed → attachments (PDF, JPEG or PNG by their bytes, ≤ 5 MB, ≤ 5; skip allowed) → review
 * (changeable) → submit once → the ticket number. The idempotency keys of the uploads and of
 * the ticket are derived from their content (who, section, type, fields, description, files),
 * so the same request made again — after a lost answer, from the menu, in a new conversation —
 * is never filed twice: the services API replays the first ticket and the user hears its number. The conversation reference is handed to the ticket watcher so that status changes
 * come back to this conversation, in this language.
 */
import { type Activity, type ConversationReference, TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  type DialogTurnResult,
  type FoundChoice,
  Prompt,
  type PromptOptions,
  type PromptRecognizerResult,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import {
  type Attachment,
  type Dependent,
  DESCRIPTION_MAX,
  DESCRIPTION_MIN,
  type FieldSpec,
  isServiceError,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_TICKET,
  type TawasulSection,
  type TransactionType,
} from '../adapters/services/types';
import { contentIdempotencyKey } from '../adapters/services/client';
import { createHash } from 'node:crypto';
import type { ConversationData, VerifiedSession } from './deps';
import type { DialogFactory, FeatureDeps } from './registry';
import { DIALOG_IDS } from './mainDialog';
import { localized } from './localizedPrompt';
import { bilingualChoice, type BilingualChoice, LocalChoicePrompt } from './prompts';
import type { Expectation } from './interpret/expectation';
import { dependentOption } from './interpret/options';
import { stepOptions } from './interpret/openStep';
import { StepPrompt } from './interpret/stepPrompt';
import { describeServiceError, isSessionExpired } from './serviceErrors';
import { turnLang, turnLogger } from './turnState';
import { beginVerification, restartVerified, VerifyIdentityDialog, whoOf } from './verifyIdentityDialog';
import { checkField, checkFile } from './tawasul/validate';
import { formatBothCalendars } from './format/dates';
import { type AttachmentReader, dataUrlReader } from './tawasul/attachments';
import { safeFileName } from '../bot/fileName';
import type { Lang } from './understanding/normalize';
import { readStep } from './interpret/read';

const NS = 'tawasul:';
const STEPS = 'tawasulSteps';
const CHOICE = 'tawasulChoice';
const FIELD = 'tawasulField';
const DESCRIPTION = 'tawasulDescription';
const FILES = 'tawasulFiles';
/** Words that end the attachments step besides its buttons' titles. */
const NO_MORE_FILES = ['تخطي', 'تخطى', 'خلصت', 'خلاص', 'انتهيت', 'ما عندي', 'ماعندي', 'ما في', 'مافي', 'لا يوجد', 'بدون مرفقات', 'skip', 'done', 'none', 'nothing', 'no attachments', 'no files', 'without attachments', "i don't have any", 'i dont have any'];

/** What the request holds so far; carried on every replaceDialog (resume after re-verification or a retry). */
export interface TawasulState {
  sectionId?: string;
  typeId?: string;
  fields: Record<string, string>;
  description?: string;
  attachments: Attachment[];
  /** Attachments are settled (the user said done or skip). */
  filesDone?: boolean;
  /** Bumped when the services API says an uploaded file already belongs to an earlier ticket: a new upload key. */
  uploadRound?: number;
  reverify?: boolean;
}

interface StepValues {
  state?: TawasulState;
  session?: VerifiedSession;
  sections?: TawasulSection[];
  failed?: boolean;
  /** The field asked in this run of the waterfall. */
  pendingField?: string;
}
const vals = (step: WaterfallStepContext) => step.values as StepValues;

/** What a user sends while attachments are asked for: files, words, or both. */
interface FilesOrWords {
  text: string;
  files: Array<{ name: string; contentType?: string; url: string }>;
}

class FilesOrWordsPrompt extends Prompt<FilesOrWords> {
  constructor(dialogId: string) {
    super(dialogId);
  }

  protected async onPrompt(context: TurnContext, _state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    const activity = isRetry && options.retryPrompt ? options.retryPrompt : options.prompt;
    if (activity) await context.sendActivity(activity);
  }

  protected async onRecognize(context: TurnContext): Promise<PromptRecognizerResult<FilesOrWords>> {
    const files = (context.activity.attachments ?? [])
      .filter((a) => typeof a.contentUrl === 'string' && /^(https?:|data:)/.test(a.contentUrl))
      .map((a) => ({ name: safeFileName(a.name, 'file'), contentType: a.contentType, url: a.contentUrl! }));
    const text = (context.activity.text ?? '').trim();
    return files.length || text ? { succeeded: true, value: { text, files } } : { succeeded: false };
  }
}

/** Watches tickets for status changes (adapters/notify); optional so the dialog works without it. */
export interface TicketWatch {
  watch(ticketNumber: string, reference: Partial<ConversationReference>, lang: Lang): Promise<void>;
}

/**
 * The key of an upload: who, the file's bytes (hash), name and type, and the request type (changing
 * the type drops the files). Not the description or fields: they may change after the upload, and the
 * same final request redone must upload to the same ids, or its ticket key differs and it is filed twice.
 */
const uploadKeyOf = (session: VerifiedSession, state: TawasulState, file: { name: string; type: string; sha256: string }) =>
  contentIdempotencyKey('tawasul-attachment', { who: whoOf(session), sectionId: state.sectionId, typeId: state.typeId, file, round: state.uploadRound || undefined });

export class TawasulDialog extends ComponentDialog {
  private readonly attachments: AttachmentReader;

  constructor(private readonly deps: FeatureDeps & { ticketWatch?: TicketWatch }) {
    super(DIALOG_IDS.tawasul);
    // bot/ wires the reader that knows each channel's own attachment store; alone, only data: URLs.
    this.attachments = deps.attachments ?? dataUrlReader(MAX_ATTACHMENT_BYTES);
    this.addDialog(new VerifyIdentityDialog(deps));
    this.addDialog(new LocalChoicePrompt(CHOICE));
    this.addDialog(new StepPrompt(FIELD, async (pc) => {
      const spec = (pc.options as PromptOptions & { validations?: FieldSpec }).validations as FieldSpec;
      const lang = turnLang(pc.context);
      const check = checkField(spec, pc.recognized.value ?? '', lang);
      if (check.ok) {
        pc.recognized.value = check.value;
        return true;
      }
      await pc.context.sendActivity(this.deps.t(lang, `${NS}invalid.${check.reason}`, { ...check.args, field: spec.label[lang] }));
      return false;
    }));
    this.addDialog(new StepPrompt(DESCRIPTION, async (pc) => {
      const text = (pc.recognized.value ?? '').trim();
      const lang = turnLang(pc.context);
      if (text.length < DESCRIPTION_MIN) await pc.context.sendActivity(this.deps.t(lang, `${NS}description.short`, { min: DESCRIPTION_MIN }));
      else if (text.length > DESCRIPTION_MAX) await pc.context.sendActivity(this.deps.t(lang, `${NS}description.long`, { max: DESCRIPTION_MAX, length: text.length }));
      else return true;
      return false;
    }));
    this.addDialog(new FilesOrWordsPrompt(FILES));
    this.addDialog(new WaterfallDialog(STEPS, [
      this.verify.bind(this),
      this.section.bind(this),
      this.type.bind(this),
      this.field.bind(this),
      this.description.bind(this),
      this.files.bind(this),
      this.review.bind(this),
      this.submit.bind(this),
      async (step) => (vals(step).failed ? this.afterFailure(step) : step.endDialog(step.result)),
    ]));
    this.initialDialogId = STEPS;
  }

  private stateOf(step: WaterfallStepContext): TawasulState {
    const kept = vals(step).state;
    if (kept) return kept;
    const options = (step.options ?? {}) as Partial<TawasulState>;
    // Our own state (every replaceDialog passes `fields`), else the router's options of a first run.
    const state: TawasulState = options.fields ? { ...(options as TawasulState), fields: { ...options.fields }, attachments: [...(options.attachments ?? [])] } : { fields: {}, attachments: [] };
    vals(step).state = state;
    return state;
  }

  private t(context: TurnContext, key: string, args?: Record<string, unknown>): string {
    return this.deps.t(turnLang(context), NS + key, args);
  }

  /** Buttons from locale keys, titled in both languages so a language switch re-renders them. */
  private choices(lang: Lang, items: Array<[string, string]>): BilingualChoice[] {
    return items.map(([value, key]) => bilingualChoice(value, { ar: this.deps.t('ar', key), en: this.deps.t('en', key) }, lang));
  }

  private async conversation(context: TurnContext): Promise<ConversationData> {
    return this.deps.state.conversation.get(context, {});
  }

  private async failed(step: WaterfallStepContext, state: TawasulState, err: unknown): Promise<DialogTurnResult> {
    if (isSessionExpired(err)) return restartVerified(step, this.deps, STEPS, state);
    turnLogger(step.context)?.warn({ kind: (err as { kind?: string }).kind ?? 'unknown' }, 'tawasul: services call failed');
    const lang = turnLang(step.context);
    await step.context.sendActivity(describeServiceError(this.deps.t, lang, err));
    vals(step).failed = true;
    return step.prompt(CHOICE, {
      prompt: localized(this.deps.t, lang, { key: `${NS}retryPrompt` }),
      choices: this.choices(lang, [['retry', `${NS}next.retry`], ['agent', 'menu.agent'], ['menu', 'intent.menu']]),
    });
  }

  /** A step that follows a "try again?" question: retry resumes, anything else ends politely. */
  private async afterFailure(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const picked = step.result as FoundChoice | undefined;
    if (picked?.value === 'retry') return step.replaceDialog(STEPS, this.stateOf(step));
    await step.context.sendActivity(this.deps.t(turnLang(step.context), 'menu.anythingElse'));
    return step.endDialog();
  }

  private selected(step: WaterfallStepContext): { section?: TawasulSection; type?: TransactionType } {
    const state = this.stateOf(step);
    const section = vals(step).sections?.find((s) => s.id === state.sectionId);
    return { section, type: section?.transactionTypes.find((x) => x.id === state.typeId) };
  }

  // 1. Verify, then load the catalogue.
  private async verify(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const data = await this.conversation(step.context);
    data.task = { ...(data.task ?? {}), intent: 'tawasul.create' };
    if (!this.deps.services) {
      await step.context.sendActivity(this.deps.t(turnLang(step.context), 'menu.notYet'));
      return step.endDialog();
    }
    return beginVerification(step, state);
  }

  // 2. Section.
  private async section(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const session = step.result as VerifiedSession | undefined;
    if (!session) return step.endDialog();
    vals(step).session = session;
    try {
      vals(step).sections = await this.deps.services!.listTawasulSections();
    } catch (err) {
      return this.failed(step, state, err);
    }
    const sections = vals(step).sections!;
    if (state.sectionId && sections.some((s) => s.id === state.sectionId)) return step.next({ value: state.sectionId, index: 0, score: 1 });
    const lang = turnLang(step.context);
    return step.prompt(CHOICE, {
      prompt: localized(this.deps.t, lang, { key: `${NS}askSection` }),
      retryPrompt: localized(this.deps.t, lang, { key: 'prompts:retry.choice' }),
      choices: sections.map((s) => bilingualChoice(s.id, s.label, lang)),
    });
  }

  // 3. Transaction type (asked only when the section has more than one).
  private async type(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (vals(step).failed) return this.afterFailure(step);
    const state = this.stateOf(step);
    state.sectionId = (step.result as FoundChoice).value;
    const { section } = this.selected(step);
    if (!section) return step.replaceDialog(STEPS, { ...state, sectionId: undefined });
    if (state.typeId && section.transactionTypes.some((x) => x.id === state.typeId)) return step.next({ value: state.typeId, index: 0, score: 1 });
    if (section.transactionTypes.length === 1) return step.next({ value: section.transactionTypes[0]!.id, index: 0, score: 1 });
    const lang = turnLang(step.context);
    return step.prompt(CHOICE, {
      prompt: localized(this.deps.t, lang, { key: `${NS}askType`, args: { section: section.label } }),
      retryPrompt: localized(this.deps.t, lang, { key: 'prompts:retry.choice' }),
      choices: section.transactionTypes.map((x) => bilingualChoice(x.id, x.label, lang)),
    });
  }

  // 4. The next missing field (the waterfall comes back here through replaceDialog until none is missing).
  private async field(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    state.typeId = (step.result as FoundChoice).value;
    const { type } = this.selected(step);
    if (!type) return step.replaceDialog(STEPS, { ...state, typeId: undefined });
    const lang = turnLang(step.context);
    const data = await this.conversation(step.context);
    data.task = { intent: 'tawasul.create', verified: true, details: { ticketType: type.label[lang] } };
    const missing = type.fields.find((f) => f.required && state.fields[f.name] === undefined);
    if (!missing) return step.next(undefined);
    vals(step).pendingField = missing.name;
    const expect = await this.fieldExpectation(step, missing);
    // The options' buttons (a select's values, the dependents) in both languages, so a language switch re-renders them.
    const buttons = (expect.options ?? []).map((o) => ({ ar: o.names[0]!, en: o.names[1]! }));
    const hint = { ar: this.deps.t('ar', `${NS}hint.${missing.type}`), en: this.deps.t('en', `${NS}hint.${missing.type}`) };
    return step.prompt(FIELD, stepOptions({
      // A select is chosen, not typed: its own question, with no contradicting hint.
      prompt: localized(this.deps.t, lang, missing.type === 'select' ? { key: `${NS}askSelect`, args: { field: missing.label }, buttons } : { key: `${NS}askField`, args: { field: missing.label, hint }, buttons }),
      validations: missing,
      expect,
    }));
  }

  /**
   * What a field expects. An ID number for a beneficiary offers the verified user's dependents
   * («بنتي ليلى», "my wife"): each is an option whose value is their ID number.
   */
  private async fieldExpectation(step: WaterfallStepContext, field: FieldSpec): Promise<Expectation> {
    switch (field.type) {
      case 'select':
        return { kind: 'choice', options: (field.options ?? []).map((o) => ({ value: o.value, names: [o.label.ar, o.label.en] })) };
      case 'date':
        return { kind: 'date' };
      case 'number':
        return { kind: 'number' };
      case 'idNumber': {
        const session = vals(step).session;
        let dependents: Dependent[] = [];
        try {
          if (session) dependents = await this.deps.services!.listDependents(session.token);
        } catch (err) {
          turnLogger(step.context)?.info({ kind: (err as { kind?: string }).kind ?? 'unknown' }, 'tawasul: dependents not offered');
        }
        return { kind: 'number', number: 'id', ...(dependents.length ? { options: dependents.map(dependentOption) } : {}) };
      }
      default:
        return { kind: 'text' };
    }
  }

  // 5. Store the field (and loop) or ask the description.
  private async description(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const pending = vals(step).pendingField;
    if (pending && typeof step.result === 'string') {
      state.fields[pending] = step.result;
      return step.replaceDialog(STEPS, state);
    }
    if (state.description) return step.next(state.description);
    const lang = turnLang(step.context);
    // Free text: taken as typed, interrupted only by an exact command.
    return step.prompt(DESCRIPTION, stepOptions({ prompt: localized(this.deps.t, lang, { key: `${NS}askDescription`, args: { min: DESCRIPTION_MIN, max: DESCRIPTION_MAX } }), expect: { kind: 'text' } }));
  }

  // 6. Attachments: one answer per turn; the waterfall loops through replaceDialog.
  private async files(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    // Kept exactly as typed: the user's own words go to the directorate unchanged.
    state.description = String(step.result ?? state.description ?? '');
    if (state.filesDone) return step.next(undefined);
    const { type } = this.selected(step);
    const lang = turnLang(step.context);
    const key = state.attachments.length ? `${NS}askMoreFiles` : `${NS}askFiles`;
    return step.prompt(FILES, stepOptions({
      expect: this.filesExpectation(),
      prompt: localized(this.deps.t, lang, {
        key,
        args: { hint: type?.attachments.hint ?? '', n: state.attachments.length, max: MAX_ATTACHMENTS_PER_TICKET },
        actions: [state.attachments.length ? `${NS}next.done` : `${NS}next.skip`],
      }),
    }));
  }

  /**
   * The attachments step: files, or words that say there are none or no more («تخطي», «لا ما
   * عندي مرفقات», "no attachments"). A plain "no" to "send them if you have any" is that too.
   */
  private filesExpectation(): Expectation {
    const names = [`${NS}next.done`, `${NS}next.skip`].flatMap((k) => [this.deps.t('ar', k), this.deps.t('en', k)]);
    return { kind: 'file', options: [{ value: 'done', names: [...names, ...NO_MORE_FILES] }], no: 'done' };
  }

  // 7. Take the files (or skip/done), then the review.
  private async review(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const lang = turnLang(step.context);
    const answer = step.result as FilesOrWords | undefined;
    if (answer && !state.filesDone) {
      for (const file of answer.files) {
        if (state.attachments.length >= MAX_ATTACHMENTS_PER_TICKET) {
          await step.context.sendActivity(this.t(step.context, 'file.tooMany', { max: MAX_ATTACHMENTS_PER_TICKET }));
          break;
        }
        let bytes: Uint8Array;
        try {
          bytes = await this.attachments.read(step.context.activity.channelId, file.url);
        } catch {
          // One answer for a refused link and an unreachable one: the reply tells nothing about a URL.
          await step.context.sendActivity(this.t(step.context, 'file.unreadable', { name: file.name }));
          continue;
        }
        const check = checkFile(bytes);
        if (!check.ok) {
          await step.context.sendActivity(this.t(step.context, `file.${check.reason}`, { name: file.name, max: MAX_ATTACHMENT_BYTES / 1024 / 1024 }));
          continue;
        }
        try {
          const digest = createHash('sha256').update(bytes).digest('hex');
          const key = uploadKeyOf(vals(step).session!, state, { name: file.name, type: check.contentType, sha256: digest });
          const uploaded = await this.deps.services!.uploadAttachment(vals(step).session!.token, { fileName: file.name, contentType: check.contentType, bytes }, key);
          state.attachments.push(uploaded);
          await step.context.sendActivity(this.t(step.context, 'file.added', { name: file.name, n: state.attachments.length, max: MAX_ATTACHMENTS_PER_TICKET }));
        } catch (err) {
          return this.failed(step, state, err);
        }
      }
      // Read with the interpreter's rules, so the step and the interpreter agree on "no files".
      const done = readStep(answer.text, this.filesExpectation())?.value === 'done';
      const { type } = this.selected(step);
      if (done && type?.attachments.required && state.attachments.length === 0) {
        await step.context.sendActivity(this.t(step.context, 'file.required', { hint: type.attachments.hint[lang] }));
        return step.replaceDialog(STEPS, state);
      }
      const full = state.attachments.length >= MAX_ATTACHMENTS_PER_TICKET;
      if (!done && !full) {
        if (answer.files.length === 0) await step.context.sendActivity(this.t(step.context, 'file.sendOrSkip'));
        return step.replaceDialog(STEPS, state);
      }
      state.filesDone = true;
    }
    const { section, type } = this.selected(step);
    const fieldLines = (type?.fields ?? []).filter((f) => state.fields[f.name] !== undefined).map((f) => `• ${f.label[lang]}: ${this.shown(f, state.fields[f.name]!, lang)}`);
    const summary = [
      this.t(step.context, 'review.title'),
      `• ${this.t(step.context, 'review.type')}: ${section?.label[lang] ?? ''} — ${type?.label[lang] ?? ''}`,
      ...fieldLines,
      `• ${this.t(step.context, 'review.description')}: ${state.description ?? ''}`,
      `• ${this.t(step.context, 'review.attachments')}: ${state.attachments.length ? state.attachments.map((a) => a.fileName).join(lang === 'ar' ? '، ' : ', ') : this.t(step.context, 'review.none')}`,
    ].join('\n');
    await step.context.sendActivity(summary);
    return step.prompt(CHOICE, stepOptions({
      // "yes, send it" («ايه ارسله») confirms the review.
      expect: { kind: 'choice', yes: 'submit' },
      prompt: localized(this.deps.t, lang, { key: `${NS}review.ask` }),
      retryPrompt: localized(this.deps.t, lang, { key: `${NS}review.ask` }),
      choices: this.choices(lang, [
        ['submit', `${NS}next.submit`],
        ['description', `${NS}next.changeDescription`],
        ['files', `${NS}next.changeFiles`],
        ['type', `${NS}next.changeType`],
      ]),
    }));
  }

  private shown(spec: FieldSpec, value: string, lang: Lang): string {
    if (spec.type === 'select') return spec.options?.find((o) => o.value === value)?.label[lang] ?? value;
    if (spec.type === 'idNumber') return `******${value.slice(-4)}`;
    // Dates read as everywhere else: both calendars (the value itself stays yyyy-mm-dd).
    if (spec.type === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return formatBothCalendars(value, lang);
    return value;
  }

  // 8. Submit, or go back to change something.
  private async submit(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (vals(step).failed) return this.afterFailure(step);
    const state = this.stateOf(step);
    const picked = (step.result as FoundChoice | undefined)?.value;
    if (picked === 'description') return step.replaceDialog(STEPS, { ...state, description: undefined });
    if (picked === 'files') return step.replaceDialog(STEPS, { ...state, attachments: [], filesDone: false });
    if (picked === 'type') return step.replaceDialog(STEPS, { fields: {}, attachments: [], description: state.description } satisfies TawasulState);
    const lang = turnLang(step.context);
    const session = vals(step).session!;
    const input = {
      sectionId: state.sectionId!,
      transactionTypeId: state.typeId!,
      fields: state.fields,
      description: state.description!,
      attachmentIds: state.attachments.map((a) => a.attachmentId),
    };
    try {
      // The attachment ids come from content-derived upload keys, so the same files give the same ids.
      const ticket = await this.deps.services!.createTicket(session.token, input, contentIdempotencyKey('tawasul-ticket', { who: whoOf(session), ...input }));
      const data = await this.conversation(step.context);
      data.task = undefined;
      await this.deps.ticketWatch?.watch(ticket.number, TurnContext.getConversationReference(step.context.activity as Activity), lang).catch((err: unknown) => {
        turnLogger(step.context)?.warn({ err: { message: (err as Error).message } }, 'tawasul: ticket not watched');
      });
      const said = ticket.alreadyFiled ? `${NS}alreadyFiled` : `${NS}submitted`;
      await step.context.sendActivity(localized(this.deps.t, lang, { key: said, args: { number: ticket.number }, actions: ['menu.status', 'intent.menu'] }));
      return step.endDialog(ticket.number);
    } catch (err) {
      // The same file in a later, different request: the first ticket holds that upload. Ask for the files again, under new keys.
      if (isServiceError(err) && err.reason === 'attachment_used') {
        await step.context.sendActivity(this.t(step.context, 'file.usedBefore'));
        return step.replaceDialog(STEPS, { ...state, attachments: [], filesDone: false, uploadRound: (state.uploadRound ?? 0) + 1 });
      }
      return this.failed(step, state, err);
    }
  }
}

export const tawasulDialogFactory: DialogFactory = (deps) => new TawasulDialog(deps as FeatureDeps & { ticketWatch?: TicketWatch });
