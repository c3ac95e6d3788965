/**
 * The ActivityHandler: hands messages to the main dialog, greets new members, and saves
 * conversation and user state at the end of every turn (inside the conversation lock).
 */
import { ActivityHandler, ActivityTypes, type ConversationState, type TurnContext, type UserState } from 'botbuilder';
import type { MainDialog } from '../dialogs/mainDialog';
import type { Translate } from '../dialogs/deps';
import { isErased, turnLang } from '../dialogs/turnState';

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
      const newcomers = (context.activity.membersAdded ?? []).filter((m) => m.id !== context.activity.recipient?.id);
      if (newcomers.length > 0) await options.mainDialog.welcome(context);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    if (isErased(context)) return;
    await this.options.conversationState.saveChanges(context, false);
    await this.options.userState.saveChanges(context, false);
  }
}
