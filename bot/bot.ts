/**
 * The ActivityHandler: hands messages to the main dialog, greets new members, and saves
 * conversation and user state at the end of every turn (inside the conversation lock).
 */
import { ActivityHandler, ActivityTypes, type ConversationState, type InvokeResponse, type TurnContext, type UserState } from 'botbuilder';
import type { MainDialog } from '../dialogs/mainDialog';
import type { Translate } from '../dialogs/deps';
import { isErased, turnLang } from '../dialogs/turnState';

/**
 * Set by a channel on the conversationUpdate of a conversation it knows was under way but
 * whose data is gone (Redis reset, or restored from an older snapshot): the welcome is
 * preceded by one plain line saying so, instead of a silent fresh start.
 */
export const CONVERSATION_LOST_MARK = 'musaedConversationLost';

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
      if (text.length > options.maxTextChars) {
        await context.sendActivity(options.t(turnLang(context), 'errors.tooLong', { max: options.maxTextChars }));
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
        const data = context.activity.channelData as Record<string, unknown> | undefined;
        if (data?.[CONVERSATION_LOST_MARK] === true) await context.sendActivity(options.t(turnLang(context), 'errors.conversationLost'));
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

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    if (isErased(context)) return;
    await this.options.conversationState.saveChanges(context, false);
    await this.options.userState.saveChanges(context, false);
  }
}
