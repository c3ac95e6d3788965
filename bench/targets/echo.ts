/**
 * The anchor bot: botbuilder's own pipeline with nothing of ours in it but (optionally) the
 * storage. restify + CloudAdapter + ConversationState + UserState, expectReplies; each turn
 * reads and writes a counter in conversation state and a field in user state, so storage
 * is on the path exactly as in the product. STORAGE picks the store:
 *   memory: botbuilder's MemoryStorage (the ceiling of botbuilder's pipeline)
 *   redis:  the project's RedisStorage (bot/storage/redisStorage.ts) on ioredis
 *   peer:   the npm package botbuilder-storage-redis (node-redis v4)
 * The reply carries "count=N" so the lost-update probe can read the counter back.
 */
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  MemoryStorage,
  type Storage,
  type StoreItems,
  UserState,
} from 'botbuilder';
import { RedisDbStorage } from 'botbuilder-storage-redis';
import { createClient } from 'redis';
import restify from 'restify';
import { connectRedis, createRedis } from '../../bot/storage/redisClient';
import { RedisStorage } from '../../bot/storage/redisStorage';
import { announce, port } from './serve';

const kind = process.env.STORAGE ?? 'memory';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/6';
const prefix = process.env.REDIS_KEY_PREFIX ?? 'bench:echo:';
const closers: Array<() => Promise<unknown>> = [];

/**
 * botbuilder-storage-redis writes the bare botbuilder key; this puts it under the bench's
 * prefix (so the run can clean up after itself) without adding a round trip.
 */
class PrefixedStorage implements Storage {
  constructor(
    private readonly inner: Storage,
    private readonly keyPrefix: string,
  ) {}
  async read(keys: string[]): Promise<StoreItems> {
    const found = await this.inner.read(keys.map((k) => this.keyPrefix + k));
    const out: StoreItems = {};
    for (const [k, v] of Object.entries(found)) out[k.slice(this.keyPrefix.length)] = v;
    return out;
  }
  write(changes: StoreItems): Promise<void> {
    const out: StoreItems = {};
    for (const [k, v] of Object.entries(changes)) out[this.keyPrefix + k] = v;
    return this.inner.write(out);
  }
  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys.map((k) => this.keyPrefix + k));
  }
}

async function createStorage(): Promise<Storage> {
  if (kind === 'memory') return new MemoryStorage();
  if (kind === 'redis') {
    const redis = createRedis({ url: redisUrl });
    await connectRedis(redis);
    closers.push(() => redis.quit());
    return new RedisStorage(redis, { prefix });
  }
  if (kind === 'peer') {
    const client = createClient({ url: redisUrl });
    await client.connect();
    closers.push(() => client.quit());
    // The package's constructor names node-redis's full generic client type; ours is the same object.
    return new PrefixedStorage(new RedisDbStorage(client as unknown as ConstructorParameters<typeof RedisDbStorage>[0], 24 * 3600), prefix);
  }
  throw new Error(`STORAGE must be memory, redis or peer (got ${kind})`);
}

interface Counter {
  count?: number;
}
interface Seen {
  turns?: number;
}

const storage = await createStorage();
const conversationState = new ConversationState(storage);
const userState = new UserState(storage);
const counter = conversationState.createProperty<Counter>('counter');
const seen = userState.createProperty<Seen>('seen');

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      const c = await counter.get(context, {});
      const s = await seen.get(context, {});
      c.count = (c.count ?? 0) + 1;
      s.turns = (s.turns ?? 0) + 1;
      await context.sendActivity(`echo: ${context.activity.text ?? ''} (count=${c.count})`);
      await next();
    });
  }
  override async run(context: Parameters<ActivityHandler['run']>[0]): Promise<void> {
    await super.run(context);
    await conversationState.saveChanges(context, false);
    await userState.saveChanges(context, false);
  }
}

const bot = new EchoBot();
const adapter = new CloudAdapter(
  new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: '', MicrosoftAppTenantId: '' }),
);
const server = restify.createServer({ name: `bench-echo-${kind}`, handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.listen(port(), '127.0.0.1', () => {
  void announce(`http://127.0.0.1:${server.address().port}`, async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const close of closers) await close().catch(() => undefined);
  });
});
