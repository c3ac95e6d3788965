/**
 * The restify server and the routes that belong to the core: /api/messages, health,
 * readiness and metrics. Channel modules register their own routes on the same server.
 */
import { timingSafeEqual } from 'node:crypto';
import restify, { type Request, type Response, type Server } from 'restify';
import type { CloudAdapter } from 'botbuilder';
import type { Logger } from 'pino';
import type { Metrics } from './metrics';
import { activityProblem } from './activityValidation';
import { INTERNAL_CHANNEL_IDS, type TurnLogic } from './adapter';
import { jsonBody } from './http/body';

export interface ServerDeps {
  logger: Logger;
  metrics: Metrics;
  adapter: CloudAdapter;
  logic: TurnLogic;
  maxBodyBytes: number;
  /** Called when a request starts; the returned function when its response is done. */
  onRequest?: () => () => void;
  metricsEnabled: boolean;
  /** What this replica cannot serve without (Redis): one failing → /readyz 503. Each answers true when reachable. */
  readiness: Record<string, () => Promise<boolean>>;
  /** What only some features need (the services API): a failure is reported, readiness stays 200 ("degraded"). */
  dependencies?: Record<string, () => Promise<boolean>>;
  /** True once shutdown began: /readyz answers 503 so the balancer stops sending before the server stops listening. */
  stopping?: () => boolean;
  /** false (MESSAGES_ENDPOINT=disabled): /api/messages answers 404. */
  messagesEnabled?: boolean;
  /** Whether an inbound activity may name this serviceUrl; ownPort is the port the request came in on. */
  serviceUrlAllowed?: (serviceUrl: string, ownPort?: number) => boolean;
  /** /readyz and /metrics: open, not served, or behind a bearer token. */
  ops?: OpsAccess;
}

export type OpsAccess = { kind: 'open' } | { kind: 'closed' } | { kind: 'token'; token: string };

/** Answers 404/401 itself and returns false when the caller may not see an ops endpoint. */
function opsAllowed(access: OpsAccess | undefined, req: Request, res: Response): boolean {
  if (!access || access.kind === 'open') return true;
  if (access.kind === 'closed') {
    res.send(404, { error: 'not_found' });
    return false;
  }
  const given = Buffer.from(/^Bearer (.+)$/i.exec(req.header('authorization') ?? '')?.[1] ?? '');
  const expected = Buffer.from(access.token);
  if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  res.header('WWW-Authenticate', 'Bearer');
  res.send(401, { error: 'unauthorized' });
  return false;
}

export function createServer(deps: ServerDeps): Server {
  const server = restify.createServer({ name: 'musaed', handleUncaughtExceptions: false });
  if (deps.onRequest) {
    const onRequest = deps.onRequest;
    // Only requests that change something are waited for: long-lived GETs (event streams)
    // would otherwise hold shutdown for the whole grace period.
    server.pre(async (req: Request, res: Response) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') res.once('close', onRequest());
    });
  }
  server.use(restify.plugins.queryParser({ mapParams: false }));
  const activityBody = jsonBody(deps.maxBodyBytes, { onProblem: () => deps.metrics.errors.inc({ kind: 'bad_request' }) });

  server.on('restifyError', (req: Request, res: Response, err: Error & { statusCode?: number }, cb: () => void) => {
    const status = err.statusCode ?? 500;
    deps.metrics.errors.inc({ kind: status >= 500 ? 'http' : 'bad_request' });
    if (status >= 500) deps.logger.error({ err, route: req.getRoute()?.path }, 'request failed');
    cb();
  });

  server.post('/api/messages', activityBody, async (req: Request, res: Response) => {
    if (deps.messagesEnabled === false) {
      res.send(404, { error: 'not_found', detail: '/api/messages is disabled (MESSAGES_ENDPOINT)' });
      return;
    }
    const problem = activityProblem(req.body);
    if (problem) {
      deps.metrics.errors.inc({ kind: 'bad_request' });
      res.send(400, { error: 'invalid_activity', detail: problem });
      return;
    }
    if (INTERNAL_CHANNEL_IDS.has((req.body as { channelId: string }).channelId)) {
      res.send(400, { error: 'invalid_activity', detail: 'channelId: reserved for a built-in channel' });
      return;
    }
    const serviceUrl = (req.body as { serviceUrl?: string }).serviceUrl;
    if (serviceUrl !== undefined && deps.serviceUrlAllowed && !deps.serviceUrlAllowed(serviceUrl, req.socket.localPort)) {
      deps.metrics.errors.inc({ kind: 'bad_request' });
      res.send(400, { error: 'invalid_activity', detail: 'serviceUrl: not allowed (ALLOWED_SERVICE_URLS)' });
      return;
    }
    await deps.adapter.process(req, res, deps.logic);
  });

  server.get('/healthz', async (_req: Request, res: Response) => {
    res.send(200, { status: 'ok' });
  });

  server.get('/readyz', async (req: Request, res: Response) => {
    if (!opsAllowed(deps.ops, req, res)) return;
    if (deps.stopping?.()) {
      res.send(503, { status: 'stopping' });
      return;
    }
    const probe = (checks: Record<string, () => Promise<boolean>>) =>
      Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          const ok = await Promise.race([
            check().catch(() => false),
            new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref()),
          ]);
          return [name, ok ? 'ok' : 'unavailable'] as const;
        }),
      );
    const [required, optional] = await Promise.all([probe(deps.readiness), probe(deps.dependencies ?? {})]);
    const ready = required.every(([, s]) => s === 'ok');
    const degraded = optional.some(([, s]) => s !== 'ok');
    const status = !ready ? 'not_ready' : degraded ? 'degraded' : 'ready';
    res.send(ready ? 200 : 503, { status, checks: Object.fromEntries([...required, ...optional]) });
  });

  if (deps.metricsEnabled) {
    server.get('/metrics', async (req: Request, res: Response) => {
      if (!opsAllowed(deps.ops, req, res)) return;
      const body = await deps.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
      res.end(body);
    });
  }
  return server;
}
