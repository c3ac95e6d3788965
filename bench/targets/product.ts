/**
 * The system under test: the product exactly as `npm start` composes it (bot/product.ts:
 * restify, CloudAdapter, the conversation lock, Redis state and transcripts, the trained
 * recognizer, the in-process services simulator, every channel module), configured from
 * the environment bench/run.ts gives it (REDIS_URL on DB 6, its own key prefix, pino at warn).
 */
import { loadConfig } from '../../bot/config';
import { createLogger } from '../../bot/logger';
import { buildProductApp } from '../../bot/product';
import { announce, port } from './serve';

const config = loadConfig({ ...process.env, PORT: String(port()), HOST: '127.0.0.1' });
const logger = createLogger({ level: config.LOG_LEVEL });
const product = await buildProductApp(config, { logger });
await announce(await product.app.listen(), () => product.close());
