/**
 * The product as `npm start` runs it: the core app plus the recognizer, the services client
 * (pointing at SERVICES_API_URL, or at the simulator started in-process), the channels,
 * the agent hub and the notifier.
 */
import type { Config } from './config';
import type { Logger } from './logger';
import { createApp, type App, type ChannelModule } from './app';
import { handoffModule } from '../adapters/handoff';
import { whatsAppChannel } from '../adapters/whatsapp';
import { directLineChannel } from '../adapters/directline';
import { webPageChannel } from '../adapters/webpage';
import { ticketNotifier } from '../adapters/notify';
import { reminderScheduler } from '../adapters/reminders';
import { reminderComposer } from '../dialogs/reminders/message';
import { createServicesClient } from '../adapters/services';
import { createSimulator } from '../sim';
import { createRecognizer } from '../dialogs/understanding/recognizer';
import { connectRedis, createRedis, describeRedis, isInMemory, type RedisConnection } from './storage/redisClient';
import { claimInProcessSimulator, type SimulatorClaim } from './simulatorClaim';

export interface ProductApp {
  app: App;
  close(): Promise<void>;
}

export async function buildProductApp(config: Config, options: { logger: Logger }): Promise<ProductApp> {
  const { logger } = options;
  // Redis first: when it cannot be reached, the first line says which one, before anything else starts.
  const redisSettings = { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES };
  let redis: RedisConnection | undefined;
  if (!isInMemory(redisSettings)) {
    redis = createRedis(redisSettings);
    try {
      await connectRedis(redis, describeRedis(redisSettings));
    } catch (err) {
      redis.disconnect();
      throw err;
    }
  }
  const simClaim = config.SERVICES_API_URL ? undefined : await claimSimulator(config, logger);
  const sim = config.SERVICES_API_URL
    ? undefined
    : createSimulator({
        otpCode: config.SIM_OTP_CODE,
        challengesPerWindow: config.SIM_CHALLENGES_PER_WINDOW,
        apiKey: config.SERVICES_API_KEY,
        logger: logger.child({ module: 'sim' }),
        devLogOtp: config.NODE_ENV === 'development',
        admin: config.NODE_ENV !== 'production',
      });
  const servicesUrl = config.SERVICES_API_URL ?? (await sim!.start()).url;
  if (sim) logger.info({ url: servicesUrl }, 'SERVICES_API_URL is not set: the services simulator runs in-process');
  const services = createServicesClient({
    baseUrl: servicesUrl,
    apiKey: config.SERVICES_API_KEY,
    timeoutMs: config.SERVICES_TIMEOUT_MS,
    logger: logger.child({ module: 'services' }),
  });

  const channels: ChannelModule[] = [() => ({ services }), directLineChannel(), whatsAppChannel(), handoffModule(), webPageChannel(), ticketNotifier({ services }), reminderScheduler({ services, composer: reminderComposer })];
  const app = await createApp(config, {
    logger,
    ...(redis ? { redis } : {}),
    channels,
    recognizer: createRecognizer({ log: (level, msg, details) => logger[level](details ?? {}, msg) }),
    // FAQs, language and the menu work without the services API: its outage degrades
    // this replica (reported by /readyz) but must not take every replica out of the balancer.
    dependencies: { services: () => services.ping() },
  });
  return {
    app,
    async close() {
      await app.close();
      if (redis) await redis.quit().catch(() => redis.disconnect());
      await sim?.stop();
      await simClaim?.release();
    },
  };
}

/** With shared state, at most one live process may run an in-process simulator (simulatorClaim.ts). */
async function claimSimulator(config: Config, logger: Logger): Promise<SimulatorClaim | undefined> {
  const settings = { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES };
  if (isInMemory(settings)) return undefined;
  const redis = createRedis(settings);
  redis.on('error', () => undefined); // the app's own connection logs Redis errors
  try {
    await connectRedis(redis);
    const claim = await claimInProcessSimulator(redis, config.REDIS_KEY_PREFIX, () =>
      logger.error('another process took the in-process simulator claim: replicas no longer share one services API (set SERVICES_API_URL)'),
    );
    return {
      release: async () => {
        await claim.release();
        await redis.quit().catch(() => redis.disconnect());
      },
    };
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}
