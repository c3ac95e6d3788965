/**
 * The services API simulator: `createSimulator(options)` → start/stop over real HTTP on
 * loopback, with a clock tests move forward and counters of the records created.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createSimClock, type SimClock } from './clock';
import { SimStore, type SimCounters } from './store';
import { createRequestListener, type HttpCounters } from './server';

export type { SimClock } from './clock';
export { createSimClock } from './clock';
export type { SimCounters } from './store';
export { DEMO_PEOPLE, UNREGISTERED_ID } from './demoData';

export interface SimulatorOptions {
  /** Defaults to a clock that follows real time (tests pass a frozen one). */
  clock?: SimClock;
  /** The one-time code every challenge accepts (SIM_OTP_CODE); default "123456". */
  otpCode?: string;
  logger?: Logger;
  /** Print the demo code in the log (development only). */
  devLogOtp?: boolean;
  /** X-Api-Key for the event feed; default "dev-services-key". */
  apiKey?: string;
  /** Enables the /_sim/ admin routes (clock, reset, pay bill, expire sessions, stats). */
  admin?: boolean;
  /** Access tokens last this long; default 15 minutes. */
  sessionTtlMs?: number;
  /** Renewal bills count as paid this long after issue (the demo has no bank); null = only via /_sim/bills/:n/pay. Default 30 s. */
  autoPayBillsAfterMs?: number | null;
  /** One-time codes one ID may request per 15 minutes (SIM_CHALLENGES_PER_WINDOW); default 5. */
  challengesPerWindow?: number;
}

export interface Simulator {
  start(port?: number, host?: string): Promise<{ url: string }>;
  stop(): Promise<void>;
  readonly clock: SimClock;
  /** Moves the clock and applies every lifecycle transition that became due. */
  advance(ms: number): void;
  /** Back to the demo data (counters too). */
  reset(): void;
  /** Records created since start/reset. */
  readonly created: SimCounters;
  /** Requests seen over HTTP, POSTs, idempotent replays. */
  readonly http: HttpCounters;
  readonly url: string | undefined;
}

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const clock = options.clock ?? createSimClock();
  const store = new SimStore({
    clock,
    otpCode: options.otpCode ?? '123456',
    sessionTtlMs: options.sessionTtlMs ?? 15 * 60_000,
    autoPayBillsAfterMs: options.autoPayBillsAfterMs === undefined ? 30_000 : options.autoPayBillsAfterMs,
    challengesPerWindow: options.challengesPerWindow,
  });
  const { listener, counters, reset } = createRequestListener({
    store,
    apiKey: options.apiKey ?? 'dev-services-key',
    admin: options.admin ?? false,
    logger: options.logger,
    devLogOtp: options.devLogOtp ?? false,
  });
  let server: Server | undefined;
  let url: string | undefined;

  return {
    clock,
    get created() {
      return store.counters;
    },
    http: counters,
    get url() {
      return url;
    },
    advance(ms: number) {
      clock.advance(ms);
      store.tick();
    },
    reset() {
      // Keys are derived from content: a key remembered from before the reset would replay a record that no longer exists.
      reset();
    },
    async start(port = 0, host = '127.0.0.1') {
      if (server) throw new Error('simulator already started');
      const s = createServer((req, res) => void listener(req, res));
      s.keepAliveTimeout = 5000;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => resolve());
      });
      server = s;
      const addr = s.address() as AddressInfo;
      url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
      options.logger?.info({ url }, 'services simulator listening');
      return { url };
    },
    async stop() {
      const s = server;
      server = undefined;
      url = undefined;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
  };
}
