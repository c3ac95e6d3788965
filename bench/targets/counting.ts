/**
 * The product's storage path under a counter, for the lost-update probe: the real core
 * (bot/app.ts: CloudAdapter, conversation lock, language and transcript middleware,
 * RedisStorage, the trained recognizer) with one feature that counts its turns in
 * conversation state. The product itself has no counter to read back, hence this target.
 */
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { loadConfig } from '../../bot/config';
import { createApp } from '../../bot/app';
import { createLogger } from '../../bot/logger';
import { DIALOG_IDS } from '../../dialogs/mainDialog';
import type { FeatureDeps } from '../../dialogs/registry';
import { createRecognizer } from '../../dialogs/understanding/recognizer';
import type { Recognizer } from '../../dialogs/understanding/types';
import { announce, port } from './serve';

const COUNT = 'count';

class CountingDialog extends Dialog {
  constructor(private readonly deps: FeatureDeps) {
    super(DIALOG_IDS.faq);
  }
  async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const data = (await this.deps.state.conversation.get(dc.context, {})) as { count?: number };
    data.count = (data.count ?? 0) + 1;
    await dc.context.sendActivity(`count=${data.count}`);
    return dc.endDialog();
  }
}

const real = createRecognizer();
/** The trained recognizer, except that the word "count" is the (counting) FAQ. */
const recognizer: Recognizer = {
  recognize(text, hint) {
    const u = real.recognize(text, hint);
    return u.normalized.trim() === COUNT ? { ...u, intent: 'faq', score: 1, alternative: undefined } : u;
  },
};

const config = loadConfig({ ...process.env, PORT: String(port()), HOST: '127.0.0.1' });
const app = await createApp(config, {
  logger: createLogger({ level: config.LOG_LEVEL }),
  recognizer,
  features: [(deps) => new CountingDialog(deps)],
});
await announce(await app.listen(), () => app.close());
