/**
 * Bounds on every Connector API call the bot makes (replies, proactive messages, the built-in
 * channels' loopback calls). botframework-connector's client has no timeout and retries a 5xx
 * three times with exponential back-off; a reply to a silent or failing serviceUrl held the
 * turn (and its conversation lock) for minutes. Here each attempt gets a deadline covering
 * the whole exchange, body included, and a failed attempt is retried at most `retries` times,
 * only when retrying can help (5xx, 429, a refused or reset connection), never after a timeout
 * (the channel may have taken the activity; a second try could post it twice).
 */
import type { ConnectorClient } from 'botframework-connector';

export interface ConnectorLimits {
  timeoutMs: number;
  retries: number;
}

/** Thrown when one attempt of a Connector call takes longer than its deadline. */
export class ConnectorTimeoutError extends Error {
  override readonly name = 'ConnectorTimeoutError';
  constructor(timeoutMs: number) {
    super(`Connector call timed out after ${timeoutMs} ms`);
  }
}

/** Whether a turn failed because a Connector call failed (an apology would go the same way). */
export function isConnectorCallError(err: unknown): boolean {
  const name = (err as { name?: unknown } | undefined)?.name;
  return err instanceof ConnectorTimeoutError || name === 'RestError';
}

// The parts of @azure/core-rest-pipeline's pipeline this module touches (it is not a direct dependency).
interface PipelineRequest {
  timeout: number;
  abortSignal?: AbortSignal;
}
interface PipelineResponse {
  status: number;
  headers: { get(name: string): string | undefined };
}
type SendRequest = (request: PipelineRequest) => Promise<PipelineResponse>;
interface PipelinePolicy {
  name: string;
  sendRequest(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse>;
}
interface Pipeline {
  addPolicy(policy: PipelinePolicy, options?: { phase?: 'Retry' }): void;
  removePolicy(options: { name?: string; phase?: 'Retry' }): PipelinePolicy[];
}

export const CONNECTOR_LIMITS_POLICY = 'musaedConnectorLimits';
const MAX_BACKOFF_MS = 2000;
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/**
 * Replaces the client's retry policy with the bounded one. The pipeline is reached through a
 * private field of botbuilder-stdlib's ServiceClientContext; if a botbuilder upgrade moves it,
 * this throws rather than leave replies unbounded (test/core/connectorTimeouts.test.ts).
 */
export function limitConnectorClient(client: ConnectorClient, limits: ConnectorLimits): ConnectorClient {
  const pipeline = (client as unknown as { client?: { pipeline?: Pipeline } }).client?.pipeline;
  if (!pipeline || typeof pipeline.addPolicy !== 'function' || typeof pipeline.removePolicy !== 'function') {
    throw new Error('ConnectorClient has no request pipeline to bound (botframework-connector changed?)');
  }
  pipeline.removePolicy({ phase: 'Retry' });
  pipeline.removePolicy({ name: CONNECTOR_LIMITS_POLICY });
  pipeline.addPolicy(boundedRetryPolicy(limits), { phase: 'Retry' });
  return client;
}

function boundedRetryPolicy(limits: ConnectorLimits): PipelinePolicy {
  return {
    name: CONNECTOR_LIMITS_POLICY,
    async sendRequest(request, next) {
      for (let attempt = 0; ; attempt++) {
        let response: PipelineResponse | undefined;
        let error: unknown;
        try {
          response = await attemptWithDeadline(request, next, limits.timeoutMs);
        } catch (err) {
          error = err;
        }
        const more = attempt < limits.retries;
        if (response && !(more && retryableStatus(response.status))) return response;
        if (!response && !(more && retryableError(error))) throw error;
        await new Promise((r) => setTimeout(r, backoffMs(attempt, response)));
      }
    },
  };
}

async function attemptWithDeadline(request: PipelineRequest, next: SendRequest, timeoutMs: number): Promise<PipelineResponse> {
  const controller = new AbortController();
  const outer = request.abortSignal;
  const onOuterAbort = () => controller.abort();
  outer?.addEventListener('abort', onOuterAbort);
  request.abortSignal = controller.signal;
  request.timeout = timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ConnectorTimeoutError(timeoutMs));
    }, timeoutMs);
  });
  try {
    // The race settles even if the HTTP client ignores the abort while it reads the body.
    return await Promise.race([next(request), deadline]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
    request.abortSignal = outer;
  }
}

function retryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

function retryableError(err: unknown): boolean {
  if (err instanceof ConnectorTimeoutError) return false;
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

function backoffMs(attempt: number, response: PipelineResponse | undefined): number {
  const retryAfter = Number(response?.headers.get('retry-after'));
  const base = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 200 * 2 ** attempt;
  return Math.min(base, MAX_BACKOFF_MS);
}
