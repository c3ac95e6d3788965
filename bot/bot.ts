/**
 * The ActivityHandler: hands messages to the main dialog, greets new members, and saves
 * conversation and user state at the end of every turn (inside the conversation lock).
 */
import { ActivityHandler, ActivityTypes, type ConversationState, type InvokeResponse, type TurnContext, type UserState } from 'botbuilder';
import type { MainDialog } from '../dialogs/mainDialog';
import type { Translate } from '../dialogs/deps';
import { isErased, turnLang, turnLogger } from '../dialogs/turnState';
import { INTERNAL_CHANNEL_IDS } from './adapter';

/**
 * How a built-in channel tells the bot that a conversation's data may be gone (a Redis reset, a
 * restore from an older snapshot, or the conversation's TTL). One check, in MusaedBot.toldLost:
 * the bot says so in one plain line (`errors.conversationLost`) instead of a silent fresh start,
 * and does not read the message as the answer to a question it no longer has (onMessage).
 *
 * CONVERSATION_LOST_MARK: the channel knows. Direct Line's conversationUpdate when the page's
 * token says the conversation was under way and the channel has nothing of it.
 *
 * CONTINUATION_MARK: the activity evidently continues an earlier exchange with the bot (on
 * WhatsApp: a tap on one of its buttons or list rows, a number answering its numbered menu, a
 * reply quoting one of its messages); it is lost when nothing is saved for the conversation.
 *
 * Honoured only on the built-in channels, whose clients cannot set them (Direct Line strips
 * them from what a client posts). The Bot Framework channel (/api/messages) has no signal worth
 * trusting: the bot's buttons are imBack, so a tap arrives as plain text like a typed message,
 * and replyToId is set by few channels and not always for one of the bot's own messages (a Teams
 * thread reply names the thread's first message). A lost conversation there restarts silently.
 */
export const CONVERSATION_LOST_MARK = 'musaedConversationLost';
export const CONTINUATION_MARK = 'musaedContinuation';

function markOf(activity: { channelId?: string; channelData?: unknown }, mark: string): boolean {
  const data = activity.channelData as Record<string, unknown> | undefined;
  return data?.[mark] === true && INTERNAL_CHANNEL_IDS.has(activity.channelId ?? '');
}

export interface MusaedBotOptions {
  conversationState: ConversationState;
  userState: UserState;
  mainDialog: MainDialog;
  t: Translate;
  maxTextChars: number;
  /** Deletes every key of the turn's user and conversation (bot/privacy/erasure.ts). */
  eraseData?: (context: TurnContext) => Promise<void>;
}

export class MusaedBot extends ActivityHandler {
  constructor(private readonly options: MusaedBotOptions) {
    super();
    this.onMessage(async (context, next) => {
      const text = context.activity.text ?? '';
      const lost = await this.toldLost(context);
      if (text.length > options.maxTextChars) {
        await context.sendActivity(options.t(turnLang(context), 'errors.tooLong', { max: options.maxTextChars }));
      } else if (lost && !options.mainDialog.standsAlone(text)) {
        // The answer to a question the bot no longer has («نعم», a dependent's name): never
        // read as something else; the welcome and the menu instead.
        await options.mainDialog.welcome(context);
      } else {
        await options.mainDialog.run(context);
      }
      await next();
    });
    // Bot Framework's "delete my data" from the channel: the same registry as the dialog's.
    this.onUnrecognizedActivityType(async (context, next) => {
      if (context.activity.type === ActivityTypes.DeleteUserData && options.eraseData) await options.eraseData(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      // Channels other than /api/messages skip its validation: a non-array is ignored, not thrown on.
      const added: unknown = context.activity.membersAdded;
      const newcomers = Array.isArray(added) ? added.filter((m: { id?: unknown }) => m && m.id !== context.activity.recipient?.id) : [];
      if (newcomers.length > 0) {
        await this.toldLost(context);
        await options.mainDialog.welcome(context);
      }
      await next();
    });
  }

  /**
   * The product's cards and buttons send messages (imBack), so no invoke is supported: every one
   * is refused cleanly — HTTP 200 with an error-shaped body (400 for a card action, 404 for any
   * other name), as the Adaptive Card invoke protocol expects — instead of the SDK's 501.
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    const cardAction = context.activity.name === 'adaptiveCard/action';
    return {
      status: 200,
      body: {
        statusCode: cardAction ? 400 : 404,
        type: 'application/vnd.microsoft.error',
        value: { code: cardAction ? 'BadRequest' : 'NotFound', message: cardAction ? 'card actions are not supported: use the buttons' : 'this invoke is not supported' },
      },
    };
  }

  /**
   * The one check for a conversation whose data vanished: the channel says so, or a
   * continuation finds nothing saved for the conversation. Says `errors.conversationLost` and returns
   * true; the line is said once, as this turn saves the conversation again.
   */
  private async toldLost(context: TurnContext): Promise<boolean> {
    const { activity } = context;
    const lost = markOf(activity, CONVERSATION_LOST_MARK) || (markOf(activity, CONTINUATION_MARK) && !this.conversationSaved(context));
    if (!lost) return false;
    turnLogger(context)?.warn({ channel: activity.channelId, type: activity.type }, 'conversation data gone (Redis reset, older snapshot or expired): the user is told');
    await context.sendActivity(this.options.t(turnLang(context), 'errors.conversationLost'));
    return true;
  }

  /**
   * Whether the conversation had anything saved when the turn began. Storage gives a read item
   * an eTag, and the turn's middleware already loaded the state (turnStart), so this costs no
   * read; what the middleware set this turn (the language) is not in storage and has none.
   */
  private conversationSaved(context: TurnContext): boolean {
    const loaded = this.options.conversationState.get(context) as { eTag?: unknown } | undefined;
    return typeof loaded?.eTag === 'string' && loaded.eTag !== '';
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    if (isErased(context)) return;
    await this.options.conversationState.saveChanges(context, false);
    await this.options.userState.saveChanges(context, false);
  }
}
