/**
 * The reusable identity step: ID number (format and check digit) → one-time code sent to the
 * mobile registered in Absher → verified session. Ends with the VerifiedSession, or
 * undefined when the user could not be verified (they were told why and offered an agent).
 *
 * Task dialogs add it to their ComponentDialog and, in the first step of their waterfall,
 *   return beginVerification(step, state)       // returns at once when already verified
 * When a call later fails with an expired session (isSessionExpired in serviceErrors.ts):
 *   if (isSessionExpired(err)) return restartVerified(step, deps, WATERFALL_ID, state)
 * which forgets the session and runs the task's waterfall again with what was collected;
 * its first step then says "your session expired, let's verify again".
 *
 * The token lives only in conversation state. The ID number lives in this dialog's state
 * while it runs and is dropped when it ends; the one-time code is marked sensitive so the
 * transcript keeps "[hidden]".
 */
import {
  ComponentDialog,
  type Dialog,
  type DialogTurnResult,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder';
import { isServiceError, type StartVerificationResult } from '../adapters/services/types';
import { newIdempotencyKey } from '../adapters/services/client';
import type { ConversationData, VerifiedSession } from './deps';
import type { FeatureDeps } from './registry';
import { localized } from './localizedPrompt';
import { stepOptions } from './interpret/openStep';
import { StepPrompt } from './interpret/stepPrompt';
import { clearSession, describeServiceError } from './serviceErrors';
import { markSensitiveInput, takeOfferedIdNumber, turnLang, turnLogger } from './turnState';
import { checkIdNumber, maskId } from './understanding/idNumber';
import { toAsciiDigits } from './understanding/normalize';

export const VERIFY_IDENTITY_ID = 'verifyIdentity';
const ID_PROMPT = 'verifyIdNumber';
const CODE_PROMPT = 'verifyCode';
const CODE_LOOP = 'verifyCodeLoop';
const MAX_ID_TRIES = 3;
/** Who writes, for content-derived idempotency keys (as the session knows them; the services API also scopes keys to the signed-in person). */
export const whoOf = (session: VerifiedSession) => ({ id: session.idMasked, kind: session.kind, name: session.name.en });

/** A session this close to expiry is renewed before a task starts. */
const MIN_SESSION_LEFT_MS = 60_000;
const AGENT_ACTIONS = ['menu.agent', 'intent.menu'];

export interface VerifyIdentityOptions {
  reason?: 'expired';
}

interface CodeLoopOptions {
  idNumber: string;
  challenge: StartVerificationResult;
  /** Whether a fresh code was already sent once after the first expired or locked. */
  resent?: boolean;
  isRetry?: boolean;
}

export function validSession(data: ConversationData, now = Date.now()): VerifiedSession | undefined {
  const s = data.session;
  return s && s.expiresAt - now > MIN_SESSION_LEFT_MS ? s : undefined;
}

/** What a task keeps in its waterfall's state for re-verification. */
export interface ReverifyState {
  /** Set by restartVerified: the last session was refused, so say why when verifying again. */
  reverify?: boolean;
}

/** The first step of a task's waterfall: verify (at once when a session is live); the flag is used once. */
export function beginVerification(step: WaterfallStepContext, state: ReverifyState): Promise<DialogTurnResult> {
  const expired = state.reverify === true;
  delete state.reverify;
  return step.beginDialog(VERIFY_IDENTITY_ID, expired ? ({ reason: 'expired' } satisfies VerifyIdentityOptions) : undefined);
}

/** A services call refused the session: forget it and run the task's waterfall again, verifying first. */
export async function restartVerified<S extends ReverifyState>(step: WaterfallStepContext, deps: Pick<FeatureDeps, 'state'>, waterfallId: string, state: S): Promise<DialogTurnResult> {
  clearSession(await deps.state.conversation.get(step.context, {}));
  return step.replaceDialog(waterfallId, { ...state, reverify: true });
}

export class VerifyIdentityDialog extends ComponentDialog {
  constructor(private readonly deps: FeatureDeps) {
    super(VERIFY_IDENTITY_ID);
    this.addDialog(new StepPrompt(ID_PROMPT, async (pc) => {
      const check = checkIdNumber(pc.recognized.value ?? '');
      if (check.ok) return true;
      if (pc.attemptCount >= MAX_ID_TRIES) {
        pc.recognized.value = '';
        return true;
      }
      const lang = turnLang(pc.context);
      await pc.context.sendActivity(this.deps.t(lang, `verify:idInvalid.${check.reason}`));
      return false;
    }));
    this.addDialog(new StepPrompt(CODE_PROMPT, async (pc) => {
      // The answer is a secret whatever it looks like: keep it out of the transcript.
      markSensitiveInput(pc.context);
      const code = toAsciiDigits(pc.recognized.value ?? '').replace(/\s+/g, '');
      if (/^\d{4,8}$/.test(code)) {
        pc.recognized.value = code;
        return true;
      }
      await pc.context.sendActivity(this.deps.t(turnLang(pc.context), 'verify:codeFormat'));
      return false;
    }));
    this.addDialog(new WaterfallDialog(VERIFY_IDENTITY_ID + 'Steps', [this.askId.bind(this), this.sendCode.bind(this), this.finish.bind(this)]));
    this.addDialog(new WaterfallDialog(CODE_LOOP, [this.askCode.bind(this), this.checkCode.bind(this)]));
    this.initialDialogId = VERIFY_IDENTITY_ID + 'Steps';
  }

  private conversation(context: TurnContext): Promise<ConversationData> {
    return this.deps.state.conversation.get(context, {});
  }

  private async askId(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const data = await this.conversation(step.context);
    const existing = validSession(data);
    if (existing) return step.endDialog(existing);
    const lang = turnLang(step.context);
    const options = (step.options ?? {}) as VerifyIdentityOptions;
    if (options.reason === 'expired') await step.context.sendActivity(this.deps.t(lang, 'services:error.sessionExpired'));
    // An ID the user already gave with the request is used instead of asking for it again.
    const offered = takeOfferedIdNumber(step.context);
    if (offered && checkIdNumber(offered).ok) return step.next(offered);
    return step.prompt(ID_PROMPT, stepOptions({
      prompt: localized(this.deps.t, lang, { key: 'verify:askId' }),
      retryPrompt: localized(this.deps.t, lang, { key: 'verify:askIdAgain' }),
      expect: { kind: 'number', number: 'id' },
    }));
  }

  private async sendCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = turnLang(step.context);
    const typed = String(step.result ?? '');
    if (!typed) {
      await step.context.sendActivity(localized(this.deps.t, lang, { key: 'verify:gaveUp', actions: AGENT_ACTIONS }));
      return step.endDialog(undefined);
    }
    const check = checkIdNumber(typed);
    if (!check.ok || !this.deps.services) return step.endDialog(undefined);
    try {
      const challenge = await this.deps.services.startVerification(check.id, newIdempotencyKey());
      return step.beginDialog(CODE_LOOP, { idNumber: check.id, challenge } satisfies CodeLoopOptions);
    } catch (err) {
      if (isServiceError(err) && err.kind === 'not_found') {
        await step.context.sendActivity(this.deps.t(lang, 'verify:notRegistered', { id: maskId(check.id) }));
        return step.replaceDialog(VERIFY_IDENTITY_ID + 'Steps', step.options);
      }
      turnLogger(step.context)?.warn({ kind: isServiceError(err) ? err.kind : 'unknown', reason: isServiceError(err) ? err.reason : undefined }, 'verification could not start');
      await step.context.sendActivity(localized(this.deps.t, lang, { key: 'verify:failed', args: { reason: describeServiceError(this.deps.t, lang, err) }, actions: AGENT_ACTIONS }));
      return step.endDialog(undefined);
    }
  }

  private async askCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = turnLang(step.context);
    const options = step.options as CodeLoopOptions;
    // The masked mobile comes from the service ("05******12"); it is not personal in clear.
    const key = options.isRetry ? 'verify:askCodeAgain' : 'verify:askCode';
    return step.prompt(CODE_PROMPT, stepOptions({
      prompt: localized(this.deps.t, lang, { key, args: { mobile: options.challenge.maskedMobile }, secret: true }),
      retryPrompt: localized(this.deps.t, lang, { key: 'verify:askCodeAgain', args: { mobile: options.challenge.maskedMobile }, secret: true }),
      expect: { kind: 'number', number: 'code' },
    }));
  }

  private async checkCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const lang = turnLang(step.context);
    const options = step.options as CodeLoopOptions;
    const services = this.deps.services;
    if (!services) return step.endDialog(undefined);
    try {
      const result = await services.verifyCode(options.challenge.challengeId, String(step.result ?? ''), newIdempotencyKey());
      const session: VerifiedSession = {
        token: result.accessToken,
        expiresAt: Date.parse(result.expiresAt),
        idMasked: maskId(result.person.idNumber),
        kind: result.person.kind,
        name: result.person.name,
      };
      const data = await this.conversation(step.context);
      data.session = session;
      if (data.task) data.task.verified = true;
      await step.context.sendActivity(this.deps.t(lang, 'verify:done', { name: session.name[lang] }));
      return step.endDialog(session);
    } catch (err) {
      if (isServiceError(err) && err.kind === 'validation' && (err.attemptsLeft ?? 0) > 0) {
        await step.context.sendActivity(this.deps.t(lang, 'verify:wrongCode', { count: err.attemptsLeft }));
        return step.replaceDialog(CODE_LOOP, { ...options, isRetry: true });
      }
      const locked = isServiceError(err) && (err.kind === 'conflict' || err.kind === 'validation');
      if (locked && !options.resent && isServiceError(err)) {
        // Locked after three wrong codes, or expired after five minutes: one fresh code.
        await step.context.sendActivity(this.deps.t(lang, err.reason === 'challenge_expired' ? 'verify:codeExpired' : 'verify:codeLocked'));
        try {
          const challenge = await services.startVerification(options.idNumber, newIdempotencyKey());
          return step.replaceDialog(CODE_LOOP, { idNumber: options.idNumber, challenge, resent: true } satisfies CodeLoopOptions);
        } catch (again) {
          await step.context.sendActivity(localized(this.deps.t, lang, { key: 'verify:failed', args: { reason: describeServiceError(this.deps.t, lang, again) }, actions: AGENT_ACTIONS }));
          return step.endDialog(undefined);
        }
      }
      const reason = locked ? this.deps.t(lang, 'verify:lockedAgain') : describeServiceError(this.deps.t, lang, err);
      await step.context.sendActivity(localized(this.deps.t, lang, { key: 'verify:failed', args: { reason }, actions: AGENT_ACTIONS }));
      return step.endDialog(undefined);
    }
  }

  private async finish(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.endDialog(step.result as VerifiedSession | undefined);
  }
}

/**
 * For a dialog set that hosts the step directly. Task dialogs are ComponentDialogs and add
 * their own copy instead: `this.addDialog(new VerifyIdentityDialog(deps))` (a dialog can only
 * begin dialogs of its own set, so one registered next to the main dialog would not be found).
 */
export function verifyIdentityDialogFactory(deps: FeatureDeps): Dialog {
  return new VerifyIdentityDialog(deps);
}
