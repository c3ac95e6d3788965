/** Starts the real app (restify, CloudAdapter, middleware) on an ephemeral port for a test. */
import { loadConfig, type Config } from '../../bot/config';
import { createApp, type App, type AppOverrides } from '../../bot/app';
import { createLogger } from '../../bot/logger';
import { ruleRecognizer } from './ruleRecognizer';

export const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
}

export async function startApp(env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<App & { baseUrl: string }> {
  const config = testConfig(env);
  const app = await createApp(config, {
    logger: overrides.logger ?? createLogger({ level: 'silent' }),
    recognizer: overrides.recognizer ?? ruleRecognizer(),
    ...overrides,
  });
  const baseUrl = await app.listen();
  return Object.assign(app, { baseUrl });
}
