/**
 * The product as `npm start` runs it: the core app plus the real recognizer, the services
 * client (or the in-process simulator), the channels, the agent hub and the notifier.
 */
import type { Config } from './config';
import type { Logger } from './logger';
import { createApp, type App, type ChannelModule } from './app';
import { handoffModule } from '../adapters/handoff';
import { keywordRecognizer } from './keywordRecognizer';

export interface ProductApp {
  app: App;
  close(): Promise<void>;
}

export async function buildProductApp(config: Config, options: { logger: Logger }): Promise<ProductApp> {
  const channels: ChannelModule[] = [handoffModule()];
  const app = await createApp(config, { logger: options.logger, channels, recognizer: keywordRecognizer() });
  return {
    app,
    async close() {
      await app.close();
    },
  };
}
