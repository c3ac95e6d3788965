/**
 * Following Tawasul tickets: verify → the person's tickets with their status (newest first)
 * → one ticket's detail with its history and the department's notes, dates in both calendars.
 * Started by the router (id 'tawasulTrack') for "my tickets" / "طلباتي في تواصل", by the
 * Tawasul dialog after a submission, or with a ticket number to open it straight away.
 * Like the other task dialogs it restarts its one waterfall with its state as options, so an
 * expired session re-verifies and repeats the read.
 */
import type { TurnContext } from 'botbuilder';
import { ComponentDialog, type DialogTurnResult, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { isServiceError, type Ticket, type TicketSummary } from '../../adapters/services/types';
import type { ConversationData, VerifiedSession } from '../deps';
import { DIALOG_IDS, type TaskDialogOptions } from '../mainDialog';
import { menuActivity } from '../menu';
import { findChoice } from '../prompts';
import type { DialogFactory, FeatureDeps } from '../registry';
import { describeServiceError, isSessionExpired } from '../serviceErrors';
import { turnLang, turnLogger } from '../turnState';
import { extractEntities } from '../understanding/entities';
import { beginVerification, restartVerified, VerifyIdentityDialog } from '../verifyIdentityDialog';
import { AskPrompt, type Answer, type Button, buttonTitles, type Line, renderLine } from './askPrompt';
import { formatTicket, formatTicketList, TRACK_NS } from './format';

export const TAWASUL_TRACK_ID = 'tawasulTrack';
const LOOP = 'tawasulTrackSteps';
const ASK = 'tawasulTrackAsk';
const NS = TRACK_NS;
/** Buttons for at most this many tickets; older ones can still be typed by number. */
const MAX_TICKET_BUTTONS = 8;

export interface TrackState {
  track: true;
  /** A ticket number to show. */
  number?: string;
  reverify?: boolean;
  /** Shown before the list (e.g. "no ticket with that number"). */
  notice?: Line;
}

interface TrackValues {
  state?: TrackState;
  tickets?: TicketSummary[];
  asked?: 'list' | 'detail' | 'none' | 'retry';
}

const vals = (step: WaterfallStepContext) => step.values as TrackValues;

const TICKET_NUMBER = /^7\d{8}$/;

function isTrackState(o: unknown): o is TrackState {
  return typeof o === 'object' && o !== null && (o as TrackState).track === true;
}

export class TawasulTrackDialog extends ComponentDialog {
  constructor(private readonly deps: FeatureDeps) {
    super(TAWASUL_TRACK_ID);
    this.addDialog(new VerifyIdentityDialog(deps));
    this.addDialog(new AskPrompt(ASK, deps.t));
    this.addDialog(new WaterfallDialog(LOOP, [this.verify.bind(this), this.show.bind(this), this.receive.bind(this)]));
    this.initialDialogId = LOOP;
  }

  private stateOf(step: WaterfallStepContext): TrackState {
    const kept = vals(step).state;
    if (kept) return kept;
    let state: TrackState;
    if (isTrackState(step.options)) state = { ...step.options };
    else {
      const first = (step.options ?? {}) as Partial<TaskDialogOptions>;
      const number = first.understanding?.entities.requestNumber ?? (first.text ? extractEntities(first.text).requestNumber : undefined);
      state = { track: true, ...(number && TICKET_NUMBER.test(number) ? { number } : {}) };
    }
    vals(step).state = state;
    return state;
  }

  private conversation(context: TurnContext): Promise<ConversationData> {
    return this.deps.state.conversation.get(context, {});
  }

  private async verify(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    if (!this.deps.services) {
      const lang = turnLang(step.context);
      await step.context.sendActivity(menuActivity(this.deps.t, lang, this.deps.t(lang, 'menu.notYet')));
      return step.endDialog();
    }
    const data = await this.conversation(step.context);
    data.task = { ...(data.task ?? {}), intent: 'status.check', details: { lookup: 'tawasul', ...(state.number ? { number: state.number } : {}) } };
    return beginVerification(step, state);
  }

  private async show(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const session = step.result as VerifiedSession | undefined;
    if (!session) return step.endDialog();
    const { t } = this.deps;
    const lang = turnLang(step.context);
    const services = this.deps.services!;
    if (state.notice) await step.context.sendActivity(renderLine(t, lang, state.notice));
    delete state.notice;
    try {
      if (state.number) {
        let ticket: Ticket;
        try {
          ticket = await services.getTicket(session.token, state.number);
        } catch (err) {
          if (isServiceError(err) && err.kind === 'not_found') {
            return step.replaceDialog(LOOP, { track: true, notice: { key: `${NS}notFound`, args: { number: state.number } } } satisfies TrackState);
          }
          throw err;
        }
        turnLogger(step.context)?.info({ lookup: 'tawasulTicket' }, 'tawasul ticket shown');
        await step.context.sendActivity(formatTicket(t, lang, ticket));
        vals(step).asked = 'detail';
        return step.prompt(ASK, AskPrompt.options({
          lines: [{ key: 'menu.anythingElse' }],
          buttons: [{ value: 'others', key: `${NS}others` }, { value: 'new', key: `${NS}new` }, { value: 'menu', key: 'intent.menu' }],
        }));
      }
      const tickets = await services.listMyTickets(session.token);
      vals(step).tickets = tickets;
      if (tickets.length === 0) {
        vals(step).asked = 'none';
        return step.prompt(ASK, AskPrompt.options({
          lines: [{ key: `${NS}none` }],
          buttons: [{ value: 'new', key: `${NS}new` }, { value: 'menu', key: 'intent.menu' }],
        }));
      }
      await step.context.sendActivity(formatTicketList(t, lang, tickets));
      vals(step).asked = 'list';
      return step.prompt(ASK, AskPrompt.options({ lines: [{ key: `${NS}ask` }], buttons: this.ticketButtons(tickets) }));
    } catch (err) {
      if (isSessionExpired(err)) return restartVerified(step, this.deps, LOOP, state);
      turnLogger(step.context)?.warn({ kind: isServiceError(err) ? err.kind : 'unknown', reason: isServiceError(err) ? err.reason : undefined }, 'tawasul tracking failed');
      vals(step).asked = 'retry';
      return step.prompt(ASK, AskPrompt.options({
        lines: [{ key: `${NS}failed`, args: { reason: describeServiceError(t, lang, err) } }],
        buttons: [{ value: 'retry', key: `${NS}retry` }, { value: 'menu', key: 'intent.menu' }],
      }));
    }
  }

  private ticketButtons(tickets: TicketSummary[]): Button[] {
    return [
      ...tickets.slice(0, MAX_TICKET_BUTTONS).map((x): Button => ({ value: x.number, label: { ar: x.number, en: x.number } })),
      { value: 'new', key: `${NS}new` },
    ];
  }

  private async receive(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.stateOf(step);
    const answer = step.result as Answer;
    const { t } = this.deps;
    const lang = turnLang(step.context);
    const asked = vals(step).asked;
    const tickets = vals(step).tickets ?? [];

    const buttons: Button[] =
      asked === 'list'
        ? this.ticketButtons(tickets)
        : [{ value: 'others', key: `${NS}others` }, { value: 'new', key: `${NS}new` }, { value: 'retry', key: `${NS}retry` }];
    const picked = findChoice(answer.text, buttons.map((b) => ({ value: b.value, synonyms: buttonTitles(t, b) })))?.value;
    const typed = extractEntities(answer.text).requestNumber;

    if (picked === 'new') return step.replaceDialog(DIALOG_IDS.tawasul, { text: '' } satisfies TaskDialogOptions);
    if (picked === 'others') return step.replaceDialog(LOOP, { track: true } satisfies TrackState);
    if (picked === 'retry' && asked === 'retry') return step.replaceDialog(LOOP, { ...state });
    const number = picked && TICKET_NUMBER.test(picked) ? picked : typed;
    if (number && TICKET_NUMBER.test(number)) return step.replaceDialog(LOOP, { track: true, number } satisfies TrackState);
    if (asked === 'list') {
      // A list position beyond the buttons ("the tenth") still picks that ticket.
      const all = findChoice(answer.text, tickets.map((x) => ({ value: x.number })));
      if (all) return step.replaceDialog(LOOP, { track: true, number: all.value } satisfies TrackState);
      return step.replaceDialog(LOOP, { track: true, notice: { key: `${NS}askAgain` } } satisfies TrackState);
    }
    await step.context.sendActivity(menuActivity(t, lang, t(lang, 'menu.anythingElse')));
    return step.endDialog();
  }
}

export const tawasulTrackDialogFactory: DialogFactory = (deps) => new TawasulTrackDialog(deps);
