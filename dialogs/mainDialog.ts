/**
 * The root of every conversation: welcome, routing to task dialogs, and the global
 * interruptions (cancel, help, menu, agent, language) handled here once for every dialog
 * instead of in each of them.
 */
import {
  type Dialog,
  type DialogContext,
  DialogSet,
  type DialogState,
} from 'botbuilder-dialogs';
import { MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { CoreDeps, ConversationData, TaskContext } from './deps';
import { buildTitleIndex, button, intentLabelKey, menuActivity } from './menu';
import { offerIdNumber, setTurnLang, turnLang } from './turnState';
import { relocalizeStack } from './localizedPrompt';
import { detectLanguage, normalizeForMatching, type Lang } from './understanding/normalize';
import type { FaqId, Intent, Understanding } from './understanding/types';
import { isTicketListRequest } from './tawasul/understand';
import { DELETE_DATA_ID, isDeleteDataRequest } from './deleteDataDialog';
import { greetingOf } from './understanding/greetingReturn';
import type { Expectation } from './interpret/expectation';
import { interpret, type TaskIntent } from './interpret/interpreter';
import { openStep } from './interpret/openStep';
import { resolveFollowUp, type FollowUpLookup } from './interpret/followUp';
import { reminderCommandReader, type ReminderCommand } from './reminders/understand';
import { REMINDERS_ID, REMINDERS_STOP_ID } from './remindersDialog';

export type GlobalCommand = 'cancel' | 'help' | 'menu' | 'agent' | 'language.ar' | 'language.en';
const COMMANDS: ReadonlySet<Intent> = new Set<Intent>(['cancel', 'help', 'menu', 'agent', 'language.ar', 'language.en']);

/** Dialog ids the router knows; a feature that has not landed is simply not registered. */
export const DIALOG_IDS = {
  iqamaRenewal: 'iqamaRenewal',
  tawasul: 'tawasul',
  statusLookup: 'statusLookup',
  faq: 'faq',
  handoff: 'handoff',
  tawasulTrack: 'tawasulTrack',
  travelPermit: 'travelPermit',
  passportUpdate: 'passportUpdate',
} as const;

const TASK_ROUTES: Partial<Record<Intent, string>> = {
  'iqama.renew': DIALOG_IDS.iqamaRenewal,
  'tawasul.create': DIALOG_IDS.tawasul,
  'status.check': DIALOG_IDS.statusLookup,
  travel_permit: DIALOG_IDS.travelPermit,
  'passport.update': DIALOG_IDS.passportUpdate,
};

/** The FAQ entry that tells how, for a service whose task dialog is not registered. */
const EXPLAINED_BY_FAQ: Partial<Record<Intent, FaqId>> = {
  travel_permit: 'travel_permit',
  'passport.update': 'passport_info_update',
};

/** Options every task dialog receives when the router starts it. */
export interface TaskDialogOptions {
  text: string;
  understanding?: Understanding;
}

export interface HandoffDialogOptions {
  /** The user's own words when they already said why ("agent, my payment failed"). */
  reason?: string;
  trigger: 'user' | 'misunderstood' | 'failure';
  task?: TaskContext;
}

/**
 * Whether an utterance is a global command. Inside a dialog only near-certain commands
 * interrupt (short rule hits), so free text such as a Tawasul description is never hijacked.
 */
/** Similarity a short in-dialog message needs to count as a command (the recognizer's own bar is lower). */
const IN_DIALOG_COMMAND_SCORE = 0.6;

export type CommandDetector = (u: Understanding, inDialog: boolean) => GlobalCommand | undefined;

export const defaultCommandDetector: CommandDetector = (u, inDialog) => {
  if (!COMMANDS.has(u.intent) || u.alternative) return undefined;
  if (!inDialog) return u.intent as GlobalCommand;
  // Inside a task: an exact command (score 1), or a short message that is clearly one.
  const words = u.normalized.split(' ').filter(Boolean).length;
  return u.score >= 0.999 || (u.score >= IN_DIALOG_COMMAND_SCORE && words <= 6) ? (u.intent as GlobalCommand) : undefined;
};

export interface MainDialogDeps extends CoreDeps {
  dialogState: StatePropertyAccessor<DialogState>;
  detectCommand?: CommandDetector;
}

const MISSES_BEFORE_AGENT = 3;
/** A follow-up of the last answer yields to an intent classified at least this surely. */
const FOLLOW_UP_UNLESS_SCORE = 0.5;
const STEP_MISSES_BEFORE_WAY_OUT = 2;
/** Intents that answer a question rather than ask for something («لا» reads as cancel, «منى» nearly as help); help and menu would show the menu anyway. */
const STANDS_ALONE_NOT: ReadonlySet<Intent> = new Set<Intent>(['none', 'greeting', 'cancel', 'help', 'menu']);
/** Marks a turn that ran a global command (cancel, menu…): no reminder offer after it. */
const COMMAND_TURN = Symbol('commandTurn');
const WAY_OUT = ['intent.menu', 'menu.agent', 'menu.tawasul'];

/** The task each top dialog carries out: asking for the same task again is not a switch. */
const TASK_OF_DIALOG: Record<string, TaskIntent> = {
  iqamaRenewal: 'iqama.renew',
  tawasul: 'tawasul.create',
  statusLookup: 'status.check',
  tawasulTrack: 'status.check',
  travelPermit: 'travel_permit',
  passportUpdate: 'passport.update',
};

export class MainDialog {
  private readonly dialogs: DialogSet;
  private readonly titles: Map<string, Intent>;
  private readonly detectCommand: CommandDetector;
  private readonly readReminderCommand: (text: string) => ReminderCommand | undefined;

  constructor(
    private readonly deps: MainDialogDeps,
    features: Dialog[],
  ) {
    this.dialogs = new DialogSet(deps.dialogState);
    for (const d of features) this.dialogs.add(d);
    this.titles = buildTitleIndex(deps.t);
    this.detectCommand = deps.detectCommand ?? defaultCommandDetector;
    this.readReminderCommand = reminderCommandReader(deps.t);
  }

  has(dialogId: string): boolean {
    return this.dialogs.find(dialogId) !== undefined;
  }

  /**
   * Whether a message means the same with no conversation behind it: a menu or command title
   * (either language), a reminder or "delete my data" command, or a request the recognizer
   * is sure of (a task, a question, another authority's business). «نعم», «لا», a dependent's
   * name, a rating or a date only answer a question, so after a conversation was lost they
   * are not read as anything (bot/bot.ts shows the welcome and the menu instead).
   */
  standsAlone(text: string): boolean {
    const trimmed = text.trim();
    if (!trimmed) return false;
    if (this.titles.has(normalizeForMatching(trimmed))) return true;
    const reminder = this.readReminderCommand(trimmed);
    if (reminder === 'start' || reminder === 'stop') return true;
    if (isDeleteDataRequest(trimmed)) return true;
    const u = this.deps.recognizer.recognize(trimmed, detectLanguage(trimmed) ?? 'ar');
    if (u.elsewhere) return true;
    return !STANDS_ALONE_NOT.has(u.intent) && !u.alternative && u.score >= FOLLOW_UP_UNLESS_SCORE;
  }

  async welcome(context: TurnContext): Promise<void> {
    const data = await this.conversation(context);
    if (data.welcomed) return;
    data.welcomed = true;
    const lang = turnLang(context);
    await context.sendActivity(this.deps.t(lang, 'welcome'));
    await context.sendActivity(menuActivity(this.deps.t, lang));
  }

  async run(context: TurnContext): Promise<void> {
    const dc = await this.dialogs.createContext(context);
    const inTaskBefore = TASK_OF_DIALOG[dc.activeDialog?.id ?? ''] !== undefined;
    await this.turn(dc);
    await this.offerStopped(dc);
    await this.offerReminders(dc, inTaskBefore);
  }

  /**
   * The one place the iqama expiry reminders are offered: when a verified task (renewal, status
   * lookup, Tawasul) has just ended, once per conversation, unless a command ended it.
   */
  private async offerReminders(dc: DialogContext, inTaskBefore: boolean): Promise<void> {
    if (!inTaskBefore || dc.activeDialog || !this.has(REMINDERS_ID) || dc.context.turnState.get(COMMAND_TURN)) return;
    const data = await this.conversation(dc.context);
    if (data.remindersOffered || !data.session) return;
    data.remindersOffered = true;
    data.remindersOfferOpen = true;
    const lang = turnLang(dc.context);
    const { t } = this.deps;
    await dc.context.sendActivity(MessageFactory.suggestedActions([button(t(lang, 'reminders:offer.yes')), button(t(lang, 'reminders:offer.no'))], t(lang, 'reminders:offer.text')));
  }

  /** "Stop reminders" from anywhere, the opt-in's titles, and "no, thanks" right after the offer. */
  private async reminderCommand(dc: DialogContext, command: ReminderCommand, offerOpen: boolean): Promise<boolean> {
    const context = dc.context;
    const { t } = this.deps;
    const lang = turnLang(context);
    if (command === 'decline') {
      // "No, thanks" answers the offer only when the offer was the last thing said.
      if (dc.activeDialog || !offerOpen) return false;
      await context.sendActivity(menuActivity(t, lang, t(lang, 'reminders:offer.declined')));
      return true;
    }
    const id = command === 'stop' ? REMINDERS_STOP_ID : REMINDERS_ID;
    if (!this.has(id)) {
      if (command === 'stop') return false;
      await context.sendActivity(menuActivity(t, lang, t(lang, 'menu.notYet')));
      return true;
    }
    // On top of a task: it answers and ends, and the task's open step is asked again.
    await dc.beginDialog(id);
    return true;
  }

  /** After the task that replaced another ends, offer the stopped one again (once). */
  private async offerStopped(dc: DialogContext): Promise<void> {
    const data = await this.conversation(dc.context);
    if (!data.stopped || dc.activeDialog) return;
    const lang = turnLang(dc.context);
    const { t } = this.deps;
    const task = t(lang, intentLabelKey(data.stopped));
    data.stopped = undefined;
    await dc.context.sendActivity(MessageFactory.suggestedActions([button(task), button(t(lang, 'intent.menu'))], t(lang, 'inTask.resumeOffer', { task })));
  }

  private async turn(dc: DialogContext): Promise<void> {
    const context = dc.context;
    const text = (context.activity.text ?? '').trim();
    const inDialog = dc.activeDialog !== undefined;
    const u = text ? this.deps.recognizer.recognize(text, turnLang(context)) : undefined;
    const titleIntent = text ? this.titles.get(normalizeForMatching(text)) : undefined;
    // "delete my data" is a global command with its own rule list (not an intent of the contract).
    if (isDeleteDataRequest(text) && this.has(DELETE_DATA_ID)) {
      await dc.cancelAllDialogs();
      await dc.beginDialog(DELETE_DATA_ID);
      return;
    }
    const conversationData = await this.conversation(context);
    const offerOpen = conversationData.remindersOfferOpen === true;
    delete conversationData.remindersOfferOpen;
    const reminderCommand = this.readReminderCommand(text);
    if (reminderCommand && (await this.reminderCommand(dc, reminderCommand, offerOpen))) return;

    const command =
      titleIntent && COMMANDS.has(titleIntent)
        ? (titleIntent as GlobalCommand)
        : u && !titleIntent
          ? this.detectCommand(u, inDialog)
          : undefined;
    const step = inDialog && !titleIntent ? openStep(dc.stack) : undefined;
    if (step && u) {
      // Inside a task the open step reads the message first; commands come after its answer.
      await this.inTask(dc, step, u, text, u ? this.detectCommand(u, true) : undefined);
      return;
    }
    // A short follow-up of the last status answer wins over a weak guess ("why was it rejected?" is not cancel).
    if (!inDialog && !titleIntent && u && (await this.followUp(dc, u, text))) return;
    if (command) {
      await this.handleCommand(dc, command, text, u);
      return;
    }

    if (inDialog) {
      // Tapping a menu button mid-task means "take me there": leave the task for it.
      if (titleIntent && TASK_ROUTES[titleIntent] !== undefined) {
        await dc.cancelAllDialogs();
      } else {
        await dc.continueDialog();
        return;
      }
    }

    const data = await this.conversation(context);
    const greeted = text ? greetingOf(text) : undefined;
    if (!data.welcomed) {
      data.welcomed = true;
      // The greeting returned and the welcome in one message: one bubble less on a phone.
      const welcome = this.deps.t(turnLang(context), 'welcome');
      await context.sendActivity(greeted ? `${this.deps.t(turnLang(context), `greeting.return.${greeted}`)}\n${welcome}` : welcome);
      if (!u || u.intent === 'greeting') {
        await context.sendActivity(menuActivity(this.deps.t, turnLang(context)));
        return;
      }
    }
    if (!text && !u) {
      // Attachments or empty messages with nothing in progress: show what we can do.
      await context.sendActivity(menuActivity(this.deps.t, turnLang(context)));
      return;
    } else if (greeted && u?.intent !== 'greeting') {
      // "السلام عليكم، وش صار على طلبي": return the greeting, then the request.
      await context.sendActivity(this.deps.t(turnLang(context), `greeting.return.${greeted}`));
    }
    await this.route(dc, titleIntent, u, text);
  }

  private async route(dc: DialogContext, titleIntent: Intent | undefined, u: Understanding | undefined, text: string): Promise<void> {
    const context = dc.context;
    const lang = turnLang(context);
    const { t } = this.deps;
    const data = await this.conversation(context);
    // After "did you mean A or B?", a reply that carries an ID or request number answers it:
    // it can only be for the task among the two, so that task starts with what was typed.
    const pendingTask = data.pendingTask;
    data.pendingTask = undefined;
    const carriesNumber = !!(u?.entities.idNumber || u?.entities.requestNumber);
    const chosen = !titleIntent && pendingTask && carriesNumber && (u?.intent === 'none' || u?.intent === pendingTask || u?.alternative) ? pendingTask : undefined;
    const intent: Intent = titleIntent ?? chosen ?? u?.intent ?? 'none';

    if (!titleIntent && !chosen && u?.alternative && intent !== 'none') {
      data.misses = 0;
      const a = this.labelOf(lang, u.intent, u.faq);
      const b = this.labelOf(lang, u.alternative.intent, u.alternative.faq);
      // The number given is kept for the answer to "did you mean…?" (a request number is not personal).
      data.pendingNumber = u.entities.requestNumber;
      data.pendingTask = [u.intent, u.alternative.intent].find((i): i is TaskIntent => TASK_ROUTES[i] !== undefined);
      await context.sendActivity(MessageFactory.suggestedActions([button(a), button(b)], t(lang, 'ambiguous', { a, b })));
      return;
    }

    // "My Tawasul tickets" lists them, whatever the classifier made of it; a message with a
    // ticket number stays a status lookup of that number.
    if (!titleIntent && text && !u?.entities.requestNumber && isTicketListRequest(text) && this.has(DIALOG_IDS.tawasulTrack)) {
      data.misses = 0;
      data.task = { intent: 'status.check' };
      await this.begin(dc, DIALOG_IDS.tawasulTrack, { text, understanding: u } satisfies TaskDialogOptions);
      return;
    }

    if (intent === 'none' && u?.elsewhere) {
      // Another authority's business: say so plainly and where to go, with what we can do.
      data.misses = 0;
      await context.sendActivity(t(lang, 'elsewhere:intro') + '\n' + t(lang, `elsewhere:${u.elsewhere}`));
      await context.sendActivity(menuActivity(t, lang, t(lang, 'elsewhere:menu')));
      return;
    }
    if (intent === 'none') {
      await this.notUnderstood(dc, data, text);
      return;
    }
    data.misses = 0;

    if (intent === 'greeting') {
      await context.sendActivity(menuActivity(t, lang, t(lang, `greeting.return.${greetingOf(text) ?? 'hello'}`) + '\n' + t(lang, 'menu.prompt')));
      return;
    }
    if (intent === 'faq') {
      if (titleIntent) {
        await context.sendActivity(t(lang, 'menu.askQuestion'));
        return;
      }
      await this.begin(dc, DIALOG_IDS.faq, { text, faq: u?.faq, understanding: u });
      return;
    }
    const explainedBy = EXPLAINED_BY_FAQ[intent];
    const taskDialog = TASK_ROUTES[intent];
    if (explainedBy && !(taskDialog && this.has(taskDialog))) {
      await this.begin(dc, DIALOG_IDS.faq, { text, faq: explainedBy, understanding: u });
      return;
    }
    const dialogId = TASK_ROUTES[intent];
    if (dialogId) {
      data.task = { intent };
      const kept = titleIntent || chosen ? data.pendingNumber ?? u?.entities.requestNumber : undefined;
      data.pendingNumber = undefined;
      // An ID typed with the request (or as the answer to "did you mean…?") is not asked for again.
      if (u?.entities.idNumber) offerIdNumber(context, u.entities.idNumber);
      const opening = kept && intent === 'status.check' ? kept : titleIntent || chosen ? '' : text;
      await this.begin(dc, dialogId, { text: opening, understanding: titleIntent ? undefined : u } satisfies TaskDialogOptions);
      return;
    }
    // Commands reached here only through an unusual path (e.g. low score): show the menu.
    await context.sendActivity(menuActivity(t, lang));
  }

  /** One message inside a task, decided by the interpreter against the open step. */
  private async inTask(dc: DialogContext, step: Expectation, u: Understanding, text: string, command: GlobalCommand | undefined): Promise<void> {
    const context = dc.context;
    const { t } = this.deps;
    const data = await this.conversation(context);
    const task = TASK_OF_DIALOG[dc.activeDialog?.id ?? ''];
    const hasFiles = (context.activity.attachments ?? []).some((a) => typeof a.contentUrl === 'string' && a.contentUrl !== '');
    const decision = interpret({ text, expect: step, understanding: u, command, task, hasFiles });
    if (decision.kind !== 'unclear') data.stepMisses = 0;
    switch (decision.kind) {
      case 'answer':
      case 'correction':
        // The prompt reads the same answer or correction with the same rules (readStep).
        await dc.continueDialog();
        return;
      case 'question':
        if (!this.has(DIALOG_IDS.faq)) break;
        // The FAQ dialog answers and ends; the task under it then asks its step again, all kept.
        await dc.beginDialog(DIALOG_IDS.faq, { text, faq: decision.faq, understanding: u });
        return;
      case 'switch': {
        const lang = turnLang(context);
        await dc.cancelAllDialogs();
        data.task = undefined;
        // From a closing question nothing is left unsaved, and nothing is offered back later.
        if (task && !step.closing) {
          await context.sendActivity(t(lang, 'inTask.switched', { from: t(lang, intentLabelKey(task)), to: t(lang, intentLabelKey(decision.intent)) }));
          data.stopped = task;
        }
        data.task = { intent: decision.intent };
        await this.begin(dc, TASK_ROUTES[decision.intent]!, { text, understanding: u } satisfies TaskDialogOptions);
        return;
      }
      case 'again':
        if (!task) break;
        await dc.cancelAllDialogs();
        data.task = { intent: task };
        await this.begin(dc, TASK_ROUTES[task]!, { text, understanding: u } satisfies TaskDialogOptions);
        return;
      case 'command':
        await this.handleCommand(dc, decision.command, text, u);
        return;
      case 'unclear':
        break;
    }
    data.stepMisses = (data.stepMisses ?? 0) + 1;
    await dc.continueDialog();
    // From the second miss in a row on: besides asking again, offer the ways out (menu titles the router knows).
    if (data.stepMisses >= STEP_MISSES_BEFORE_WAY_OUT && dc.activeDialog) {
      const lang = turnLang(context);
      await context.sendActivity(MessageFactory.suggestedActions(WAY_OUT.map((k) => button(t(lang, k))), t(lang, 'inTask.wayOut')));
    }
  }

  /**
   * "وتاشيرة عمر؟", "and my son Omar's?", "why was it rejected?": looked up against the last
   * status answer, unless the classifier is sure the message asks for something else.
   */
  private async followUp(dc: DialogContext, u: Understanding, text: string): Promise<boolean> {
    if (u.intent !== 'none' && u.score >= FOLLOW_UP_UNLESS_SCORE) return false;
    const data = await this.conversation(dc.context);
    const lookup = data.lastLookup && this.has(DIALOG_IDS.statusLookup) ? resolveFollowUp(text, data.lastLookup) : undefined;
    if (!lookup) return false;
    data.misses = 0;
    data.task = { intent: 'status.check' };
    await this.begin(dc, DIALOG_IDS.statusLookup, { text, lookup } satisfies TaskDialogOptions & { lookup: FollowUpLookup });
    return true;
  }

  private async begin(dc: DialogContext, dialogId: string, options: object): Promise<void> {
    if (!this.has(dialogId)) {
      const lang = turnLang(dc.context);
      await dc.context.sendActivity(menuActivity(this.deps.t, lang, this.deps.t(lang, 'menu.notYet')));
      return;
    }
    await dc.beginDialog(dialogId, options);
  }

  private async notUnderstood(dc: DialogContext, data: ConversationData, text: string): Promise<void> {
    const context = dc.context;
    const lang = turnLang(context);
    const { t } = this.deps;
    data.misses = (data.misses ?? 0) + 1;
    if (data.misses >= MISSES_BEFORE_AGENT && this.has(DIALOG_IDS.handoff)) {
      data.misses = 0;
      await dc.beginDialog(DIALOG_IDS.handoff, { trigger: 'misunderstood', reason: text, task: data.task } satisfies HandoffDialogOptions);
      return;
    }
    if (data.misses >= 2) {
      await context.sendActivity(menuActivity(t, lang, t(lang, 'notUnderstood.second')));
      return;
    }
    await context.sendActivity(t(lang, 'notUnderstood.first'));
  }

  private async handleCommand(dc: DialogContext, command: GlobalCommand, text: string, u: Understanding | undefined): Promise<void> {
    const context = dc.context;
    const { t } = this.deps;
    const data = await this.conversation(context);
    data.misses = 0;
    context.turnState.set(COMMAND_TURN, true);
    const active = dc.activeDialog !== undefined;
    switch (command) {
      case 'language.ar':
      case 'language.en': {
        const lang: Lang = command === 'language.ar' ? 'ar' : 'en';
        const profile = await this.deps.state.profile.get(context, {});
        profile.language = lang;
        await this.deps.state.profile.set(context, profile);
        data.lastLang = lang;
        setTurnLang(context, lang);
        await context.sendActivity(t(lang, 'language.switched'));
        if (active) {
          relocalizeStack(dc.stack, t, lang);
          await dc.repromptDialog();
        }
        else await context.sendActivity(menuActivity(t, lang));
        return;
      }
      case 'help': {
        const lang = turnLang(context);
        if (active) {
          await context.sendActivity(t(lang, 'help.inDialog'));
          await dc.repromptDialog();
        } else {
          await context.sendActivity(menuActivity(t, lang, t(lang, 'help.general')));
        }
        return;
      }
      case 'cancel': {
        const lang = turnLang(context);
        await dc.cancelAllDialogs();
        data.task = undefined;
        // "Cancel" stops everything: no offer to go back to a task stopped before.
        data.stopped = undefined;
        await context.sendActivity(t(lang, active ? 'cancel.done' : 'cancel.nothing'));
        await context.sendActivity(menuActivity(t, lang, t(lang, 'menu.anythingElse')));
        return;
      }
      case 'menu': {
        await dc.cancelAllDialogs();
        data.task = undefined;
        await context.sendActivity(menuActivity(t, turnLang(context)));
        return;
      }
      case 'agent': {
        const task = data.task;
        await dc.cancelAllDialogs();
        if (!this.has(DIALOG_IDS.handoff)) {
          const lang = turnLang(context);
          await context.sendActivity(menuActivity(t, lang, t(lang, 'menu.notYet')));
          return;
        }
        // Words beyond the command itself are the reason ("موظف، الدفع ما زبط").
        const reason = u && u.normalized.split(' ').length > 3 ? text : undefined;
        await dc.beginDialog(DIALOG_IDS.handoff, { trigger: 'user', reason, task } satisfies HandoffDialogOptions);
        return;
      }
    }
  }

  private labelOf(lang: Lang, intent: Intent, faq?: FaqId): string {
    if (intent === 'faq' && faq) {
      const q = this.deps.t(lang, `faq:${faq}.question`);
      if (q && !q.endsWith('.question')) return q;
    }
    return this.deps.t(lang, intentLabelKey(intent));
  }

  private async conversation(context: TurnContext): Promise<ConversationData> {
    return this.deps.state.conversation.get(context, {});
  }
}

