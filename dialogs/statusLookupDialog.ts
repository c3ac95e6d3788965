/**
 * "What happened to my request?": looks up a request or Tawasul ticket by number, the
 * person's own iqama, their dependents' iqamas or their exit/re-entry visas, and answers in
 * plain language (dialogs/status/format.ts).
 *
 * Flow (one waterfall that restarts itself with its state as options, so every question can
 * be asked again without nesting): what to look up (skipped when the first message said it:
 * "وش صار على طلبي ٤٠٠ ٠٠٠ ١٠١؟", "when does my iqama expire") → for a request whose number
 * was not given, identity verification first (the ID, then the number, as an agent asks) →
 * the number, checked with a clear reason (9 digits, 4… requests, 7… tickets) → identity
 * verification (every lookup is personal data; skipped while the session is valid) → the per-user rate limit (so numbers
 * cannot be guessed in bulk) → the services call → the answer, then the dialog ends with
 * "check another / menu" buttons whose titles the router knows. A wrong or unknown number
 * counts as a try; after three the user is offered an agent or the menu. An expired session
 * re-verifies and repeats the lookup; an unavailable service offers a retry.
 */
import {
  ComponentDialog,
  type DialogTurnResult,
  TextPrompt,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder';
import type { ConversationData, VerifiedSession } from './deps';
import type { DialogFactory, FeatureDeps } from './registry';
import { DIALOG_IDS, type TaskDialogOptions } from './mainDialog';
import { localized } from './localizedPrompt';
import { stepOptions } from './interpret/openStep';
import { StepPrompt } from './interpret/stepPrompt';
import { menuActivity } from './menu';
import { createUserRateLimiter, minutesToWait, type UserRateLimiter, type UserRateLimitOptions } from './rateLimit';
import { isSessionExpired } from './serviceErrors';
import { hasOfferedIdNumber, turnLang, turnLogger } from './turnState';
import { beginVerification, restartVerified, VerifyIdentityDialog } from './verifyIdentityDialog';
import { parseYesNo } from './understanding/answers';
import { extractEntities } from './understanding/entities';
import { normalizeForMatching, type Lang } from './understanding/normalize';
import { dependentsNamed, formatDependents, formatMyIqama, formatRequest, formatVisas } from './status/format';
import type { FollowUpLookup } from './interpret/followUp';
import {
  checkRequestNumber,
  detectLookup,
  LOOKUP_KINDS,
  optionKey,
  recognizeLookupChoice,
  type LookupTarget,
} from './status/understand';
import { isServiceError, type RequestKind, type ServicesApi } from '../adapters/services/types';

/** verifyOffered's result when no ID was offered (a failed verification gives undefined). */
const NOT_OFFERED = 'not-offered';
const LOOP = 'statusLookupSteps';
const KIND_PROMPT = 'statusKind';
const NUMBER_PROMPT = 'statusNumber';
const RETRY_PROMPT = 'statusRetry';

/** 10 lookups per 10 minutes per user: plenty for a person, useless for guessing numbers. */
export const DEFAULT_LOOKUP_LIMIT: UserRateLimitOptions = { points: 10, durationSeconds: 600 };
const MAX_TRIES = 3;
/** verifyFirst's result when no verification was needed before the number. */
const FIRST_NOT_NEEDED = 'not needed';
const KIND_PROMPT_ATTEMPTS = 3;

/** Buttons after an answer: titles the main menu's router maps back ("check a status", "menu"). */
const AFTER_ACTIONS = ['menu.status', 'intent.menu'];
const GIVE_UP_ACTIONS = ['menu.agent', 'intent.menu'];
const RETRY_ACTIONS = ['status:retry', 'intent.menu'];

export interface StatusLookupOptions {
  /** Lookups allowed per user and window (default 10 per 10 minutes). */
  limit?: UserRateLimitOptions;
  /** "Today" for days left (the services' clock in tests); default the real time. */
  now?: () => Date;
}

/** The waterfall's state, passed as options when it restarts itself. */
interface LoopState {
  loop: true;
  target?: LookupTarget;
  /** A checked request or ticket number. */
  number?: string;
  /** Wrong or unknown numbers so far. */
  tries: number;
  /** Why the last number was refused: the next number prompt says it. */
  problem?: { key: string; args?: Record<string, unknown> };
  /** The session was refused mid-lookup: verify again (saying why) and repeat. */
  reverify?: boolean;
}

type Answer = (lang: Lang) => string;

/** How the router starts a lookup: the first message, or a follow-up of the last answer already resolved. */
export interface StatusLookupStart extends TaskDialogOptions {
  lookup?: FollowUpLookup;
}

function isLoopState(options: unknown): options is LoopState {
  return typeof options === 'object' && options !== null && (options as LoopState).loop === true;
}

export class StatusLookupDialog extends ComponentDialog {
  private readonly limiter: UserRateLimiter;
  private readonly now: () => Date;

  constructor(
    private readonly deps: FeatureDeps,
    options: StatusLookupOptions = {},
  ) {
    super(DIALOG_IDS.statusLookup);
    this.limiter = createUserRateLimiter(deps, 'statusLookup', options.limit ?? DEFAULT_LOOKUP_LIMIT);
    this.now = options.now ?? (() => new Date());
    this.addDialog(new VerifyIdentityDialog(deps));
    this.addDialog(
      new TextPrompt(KIND_PROMPT, async (pc) =>
        // After a few misses the step ends the lookup with the menu instead of asking forever.
        recognizeLookupChoice(deps.t, pc.recognized.value ?? '') !== undefined || pc.attemptCount >= KIND_PROMPT_ATTEMPTS,
      ),
    );
    this.addDialog(new StepPrompt(NUMBER_PROMPT));
    this.addDialog(new TextPrompt(RETRY_PROMPT));
    this.addDialog(
      new WaterfallDialog(LOOP, [
        this.verifyOffered.bind(this),
        this.chooseKind.bind(this),
        this.verifyFirst.bind(this),
        this.askNumber.bind(this),
        this.checkNumber.bind(this),
        this.verify.bind(this),
        this.lookup.bind(this),
        this.afterFailure.bind(this),
      ]),
    );
    this.initialDialogId = LOOP;
  }

  private conversation(context: TurnContext): Promise<ConversationData> {
    return this.deps.state.conversation.get(context, {});
  }

  private state(step: WaterfallStepContext): LoopState {
    return (step.values as { state: LoopState }).state;
  }

  /**
   * An ID given with the request (or typed as the answer to "did you mean…?") is used at once:
   * verify before asking what to look up, as an agent would with the ID already in hand.
   */
  private async verifyOffered(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return hasOfferedIdNumber(step.context) ? beginVerification(step, {}) : step.next(NOT_OFFERED);
  }

  /** What to look up: from the first message, or asked with one button per kind. */
  private async chooseKind(step: WaterfallStepContext): Promise<DialogTurnResult> {
    // The offered ID did not verify: the identity step said why and offered an agent.
    if (step.result === undefined) return step.endDialog();
    let state: LoopState;
    if (isLoopState(step.options)) state = step.options;
    else {
      const first = (step.options ?? { text: '' }) as StatusLookupStart;
      const text = first.text ?? '';
      const entities = { ...extractEntities(text), ...first.understanding?.entities };
      state = first.lookup
        ? { loop: true, tries: 0, target: first.lookup.target, ...(first.lookup.number ? { number: first.lookup.number } : {}) }
        : { loop: true, tries: 0, ...(text ? { target: detectLookup(text, entities) } : {}) };
    }
    (step.values as { state: LoopState }).state = state;
    if (state.target) return step.next(state.target);
    const lang = turnLang(step.context);
    const actions = LOOKUP_KINDS.map(optionKey);
    return step.prompt(KIND_PROMPT, stepOptions({
      prompt: localized(this.deps.t, lang, { key: 'status:ask.what', actions }),
      retryPrompt: localized(this.deps.t, lang, { key: 'status:ask.whatRetry', actions }),
      // A kind by its title or place, or a request number typed straight away.
      expect: { kind: 'number', number: 'request', options: LOOKUP_KINDS.map((k) => ({ value: k, names: [this.deps.t('ar', optionKey(k)), this.deps.t('en', optionKey(k))] })) },
    }));
  }

  /**
   * A request without its number: verify first, as an agent would ("your ID first, then the
   * number"), so the number question comes to someone already known. A number already given
   * is checked before the code is sent (a wrong one costs no verification).
   */
  private async verifyFirst(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.state(step);
    const target = typeof step.result === 'string' ? recognizeLookupChoice(this.deps.t, step.result) : (step.result as LookupTarget | undefined);
    if (!target) {
      const lang = turnLang(step.context);
      await step.context.sendActivity(menuActivity(this.deps.t, lang, this.deps.t(lang, 'notUnderstood.second')));
      return step.endDialog();
    }
    state.target = target;
    await this.noteTask(step.context, state);
    // Once a number was refused the person is busy with numbers: the reason and the question come first.
    if (target.kind !== 'request' || state.number || target.numberText || state.problem) return step.next(FIRST_NOT_NEEDED);
    return beginVerification(step, state);
  }

  /** For a request: the number (or the text carrying it) goes to the check; else ask for it. */
  private async askNumber(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.state(step);
    // Verified first and it did not work out: the verification step said why and offered an agent.
    if (step.result === undefined) return step.endDialog();
    const target = state.target!;
    if (target.kind !== 'request' || state.number) return step.next();
    if (target.numberText) {
      const text = target.numberText;
      delete target.numberText;
      return step.next(text);
    }
    const lang = turnLang(step.context);
    return step.prompt(NUMBER_PROMPT, stepOptions({ prompt: localized(this.deps.t, lang, state.problem ?? { key: 'status:ask.number' }), expect: { kind: 'number', number: 'request' } }));
  }

  /** A number that cannot be one is refused with the reason and counts as a try. */
  private async checkNumber(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.state(step);
    if (state.target?.kind !== 'request' || state.number) return step.next();
    const text = String(step.result ?? '');
    const check = checkRequestNumber(text);
    if (check.ok) {
      state.number = check.number;
      state.problem = undefined;
      await this.noteTask(step.context, state);
      return step.next();
    }
    // "my iqama" typed where a number was asked: they changed their mind, follow them.
    const other = check.problem === 'none' ? detectLookup(text) : undefined;
    if (other && other.kind !== 'request') return step.replaceDialog(LOOP, { ...state, target: other, problem: undefined } satisfies LoopState);
    // Never repeat what was typed: a wrong "request number" is often a one-time code or an ID.
    return this.wrongNumber(step, { key: `status:number.${check.problem}` });
  }

  private async wrongNumber(step: WaterfallStepContext, problem: NonNullable<LoopState['problem']>): Promise<DialogTurnResult> {
    const state = this.state(step);
    const tries = state.tries + 1;
    turnLogger(step.context)?.info({ lookup: 'request', tries, problem: problem.key }, 'status lookup number refused');
    if (tries >= MAX_TRIES) {
      const lang = turnLang(step.context);
      await step.context.sendActivity(localized(this.deps.t, lang, { key: 'status:number.tooManyTries', actions: GIVE_UP_ACTIONS }));
      return step.endDialog();
    }
    return step.replaceDialog(LOOP, { ...state, number: undefined, tries, problem } satisfies LoopState);
  }

  /** Personal data: a verified session first (returns at once while one is valid). */
  private async verify(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return beginVerification(step, this.state(step));
  }

  private async lookup(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.state(step);
    const session = step.result as VerifiedSession | undefined;
    const context = step.context;
    const lang = turnLang(context);
    const { t } = this.deps;
    // Not verified: the verification step already said why and offered an agent.
    if (!session) return step.endDialog();
    const services = this.deps.services;
    const target = state.target;
    if (!services || !target) {
      await context.sendActivity(localized(t, lang, { key: 'status:failed', actions: GIVE_UP_ACTIONS }));
      return step.endDialog();
    }

    const limit = await this.limiter.consume(context);
    if (!limit.allowed) {
      turnLogger(context)?.warn({ lookup: target.kind }, 'status lookup rate limited');
      const wait = t(lang, 'status:wait', { count: minutesToWait(limit.retryAfterMs) });
      await context.sendActivity(localized(t, lang, { key: 'status:rateLimited', args: { wait }, actions: GIVE_UP_ACTIONS }));
      return step.endDialog();
    }

    let answer: Answer;
    let about: RequestKind | undefined;
    try {
      ({ answer, about } = await this.fetchAnswer(services, session.token, target, state.number));
    } catch (err) {
      if (isSessionExpired(err)) return restartVerified(step, this.deps, LOOP, state);
      if (target.kind === 'request' && isServiceError(err) && err.kind === 'not_found') {
        return this.wrongNumber(step, { key: 'status:number.notFound', args: { number: state.number ?? '' } });
      }
      turnLogger(context)?.warn(
        { lookup: target.kind, kind: isServiceError(err) ? err.kind : 'unknown', reason: isServiceError(err) ? err.reason : undefined },
        'status lookup failed',
      );
      // A read can always be tried again: say why (serviceErrors' wording) and offer it.
      const retryable = !isServiceError(err) || err.kind === 'unavailable' || err.kind === 'rate_limited';
      if (!retryable) {
        await context.sendActivity(localized(t, lang, { key: 'status:failed', actions: GIVE_UP_ACTIONS }));
        return step.endDialog();
      }
      const why =
        isServiceError(err) && err.kind === 'rate_limited'
          ? { key: 'services:error.rateLimited', args: { count: minutesToWait((err.retryAfterSeconds ?? 60) * 1000) } }
          : { key: 'services:error.unavailable' };
      return step.prompt(RETRY_PROMPT, { prompt: localized(t, lang, { ...why, actions: RETRY_ACTIONS }) });
    }

    turnLogger(context)?.info({ lookup: target.kind }, 'status lookup answered');
    (await this.conversation(context)).lastLookup = { kind: target.kind, ...(state.number ? { number: state.number } : {}), ...(about ? { about } : {}) };
    await context.sendActivity(answer(lang));
    await context.sendActivity(localized(t, lang, { key: 'status:after', actions: AFTER_ACTIONS }));
    return step.endDialog();
  }

  /** After "the service is unavailable": retry, another lookup typed instead, or leave. */
  private async afterFailure(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.state(step);
    const text = String(step.result ?? '');
    const n = normalizeForMatching(text);
    const retry = (['ar', 'en'] as const).some((l) => normalizeForMatching(this.deps.t(l, 'status:retry')) === n) || parseYesNo(text) === true;
    if (retry) return step.replaceDialog(LOOP, { ...state, reverify: false } satisfies LoopState);
    const other = recognizeLookupChoice(this.deps.t, text);
    if (other) return step.replaceDialog(LOOP, { loop: true, tries: 0, target: other } satisfies LoopState);
    const lang = turnLang(step.context);
    await step.context.sendActivity(menuActivity(this.deps.t, lang, this.deps.t(lang, 'menu.anythingElse')));
    return step.endDialog();
  }

  /** One services call per kind; the text is rendered later in the turn's language. */
  private async fetchAnswer(services: ServicesApi, token: string, target: LookupTarget, number: string | undefined): Promise<{ answer: Answer; about?: RequestKind }> {
    const { t } = this.deps;
    const now = this.now();
    switch (target.kind) {
      case 'request': {
        const result = await services.getRequestStatus(token, number ?? '');
        return { answer: (lang) => formatRequest(t, lang, result), about: result.kind };
      }
      case 'myIqama': {
        const profile = await services.getProfile(token);
        return { answer: (lang) => formatMyIqama(t, lang, profile, now) };
      }
      case 'dependents': {
        const dependents = await services.listDependents(token);
        return { answer: (lang) => formatDependents(t, lang, dependents, now, target.relation, target.person) };
      }
      case 'visas': {
        const visas = await services.listExitReentryVisas(token);
        if (!target.relation && !target.person) return { answer: (lang) => formatVisas(t, lang, visas, now) };
        // "and Omar's?": the visas of the dependents named (visa holders carry no relation).
        const named = dependentsNamed(await services.listDependents(token), target.relation, target.person);
        const only = { holders: new Set(named.map((d) => d.idNumber)), ...(target.person ? { person: target.person } : {}), ...(target.relation ? { relation: target.relation } : {}) };
        return { answer: (lang) => formatVisas(t, lang, visas, now, only) };
      }
    }
  }

  /** What an agent sees on handoff: the kind of lookup and the number (not personal). */
  private async noteTask(context: TurnContext, state: LoopState): Promise<void> {
    const data = await this.conversation(context);
    data.task = {
      ...data.task,
      intent: 'status.check',
      details: { lookup: state.target?.kind ?? '', ...(state.number ? { number: state.number } : {}) },
    };
  }
}

export function createStatusLookupDialogFactory(options: StatusLookupOptions = {}): DialogFactory {
  return (deps) => new StatusLookupDialog(deps, options);
}

export const statusLookupDialogFactory: DialogFactory = createStatusLookupDialogFactory();
