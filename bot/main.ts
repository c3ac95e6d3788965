/**
 * `npm start`: one process serves everything on PORT. Embedded defaults: no REDIS_URL →
 * in-memory state; no SERVICES_API_URL → the services simulator in-process.
 * SIGTERM/SIGINT: /readyz turns 503 at once, the server keeps serving for SHUTDOWN_DRAIN_MS
 * (so the load balancer stops sending here before connections are refused), then it stops
 * accepting, finishes turns in flight, closes Redis and exits 0.
 */
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { buildProductApp } from './product';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  const product = await buildProductApp(config, { logger });
  const url = await product.app.listen();
  logger.info({ url: `http://localhost:${new URL(url).port}` }, 'Musaed is listening');

  const drainMs = config.SHUTDOWN_DRAIN_MS ?? (config.NODE_ENV === 'production' ? 5000 : 0);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    product.app.drain();
    if (drainMs > 0) logger.info({ signal, drainMs }, 'shutting down: /readyz answers 503, still serving while the load balancer lets go');
    new Promise((r) => setTimeout(r, drainMs))
      .then(() => {
        logger.info({ signal }, 'shutting down: finishing turns in flight');
        return product.close();
      })
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled rejection');
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`Musaed failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
