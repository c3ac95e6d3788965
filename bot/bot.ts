/**
 * The ActivityHandler: hands messages to the main dialog, greets new members, and saves
 * conversation and user state at the end of every turn (inside the conversation lock).
 */
import { ActivityHandler, type ConversationState, type TurnContext, type UserState } from 'botbuilder';
import type { MainDialog } from '../dialogs/mainDialog';
import type { Translate } from '../dialogs/deps';
import { turnLang } from '../dialogs/turnState';

export interface MusaedBotOptions {
  conversationState: ConversationState;
  userState: UserState;
  mainDialog: MainDialog;
  t: Translate;
  maxTextChars: number;
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
    this.onMembersAdded(async (context, next) => {
      const newcomers = (context.activity.membersAdded ?? []).filter((m) => m.id !== context.activity.recipient?.id);
      if (newcomers.length > 0) await options.mainDialog.welcome(context);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.options.conversationState.saveChanges(context, false);
    await this.options.userState.saveChanges(context, false);
  }
}
