/**
 * The WhatsApp Cloud API (Graph) client: send, mark-as-read with the typing indicator, and the
 * two-step media download. Rate limits (130429, 131056), 5xx and network failures are retried
 * with exponential backoff; everything else is classified for the caller to decide.
 */
import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import type { WaMessage } from './render';

export type GraphErrorKind = 'window' | 'rate_limit' | 'undeliverable' | 'server' | 'network' | 'client';

const WINDOW_CLOSED = 131047;
const RATE_LIMITS = new Set([130429, 131056]);
const UNDELIVERABLE = 131026;

export class GraphError extends Error {
  constructor(
    message: string,
    readonly kind: GraphErrorKind,
    readonly status?: number,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'GraphError';
  }

  get retryable(): boolean {
    return this.kind === 'rate_limit' || this.kind === 'server' || this.kind === 'network';
  }
}

export function classify(status: number, code: number | undefined): GraphErrorKind {
  if (code === WINDOW_CLOSED) return 'window';
  if (code !== undefined && RATE_LIMITS.has(code)) return 'rate_limit';
  if (code === UNDELIVERABLE) return 'undeliverable';
  if (status === 429) return 'rate_limit';
  if (status >= 500) return 'server';
  return 'client';
}

export interface GraphClientOptions {
  graphUrl: string;
  version: string;
  phoneNumberId: string;
  accessToken: string;
  attempts: number;
  retryBaseMs: number;
  fetch?: typeof fetch;
  /** Called before each retry (metrics, logs). */
  onRetry?: (err: GraphError, attempt: number) => void;
}

export interface MediaInfo {
  url: string;
  mimeType?: string;
  fileSize?: number;
}

export class GraphClient {
  private readonly fetch: typeof fetch;
  private readonly policy: RetryPolicy;

  constructor(private readonly options: GraphClientOptions) {
    this.fetch = options.fetch ?? fetch;
    this.policy = retry(
      handleWhen((e) => e instanceof GraphError && e.retryable),
      {
        maxAttempts: Math.max(0, options.attempts - 1),
        backoff: new ExponentialBackoff({ initialDelay: options.retryBaseMs, maxDelay: options.retryBaseMs * 30 }),
      },
    );
    this.policy.onRetry((reason) => {
      if ('error' in reason && reason.error instanceof GraphError) options.onRetry?.(reason.error, reason.attempt);
    });
  }

  private url(path: string): string {
    return `${this.options.graphUrl}/${this.options.version}/${path}`;
  }

  private async call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await this.fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.options.accessToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new GraphError(`Graph API unreachable: ${(err as Error).message}`, 'network');
    }
    const text = await res.text().catch(() => '');
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      /* a proxy's HTML error page: keep the status */
    }
    if (!res.ok) {
      const error = (json.error ?? {}) as { code?: number; message?: string; error_data?: { details?: string } };
      const code = typeof error.code === 'number' ? error.code : undefined;
      const detail = error.error_data?.details ?? error.message ?? res.statusText;
      throw new GraphError(`Graph API ${res.status}${code ? ` (${code})` : ''}: ${detail}`, classify(res.status, code), res.status, code);
    }
    return json;
  }

  /** Sends one message; resolves with its wamid. Retries rate limits and server errors. */
  async send(to: string, message: WaMessage): Promise<string> {
    const json = await this.policy.execute(() =>
      this.call('POST', this.url(`${this.options.phoneNumberId}/messages`), {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to,
        ...message,
      }),
    );
    const messages = json.messages as Array<{ id?: string }> | undefined;
    return messages?.[0]?.id ?? '';
  }

  /** Blue ticks and "typing…" for an inbound message (one call does both). */
  async markReadWithTyping(messageId: string): Promise<void> {
    await this.call('POST', this.url(`${this.options.phoneNumberId}/messages`), {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: messageId,
      typing_indicator: { type: 'text' },
    });
  }

  /** Step one of a media download: the short-lived URL of a media id. */
  async mediaInfo(mediaId: string): Promise<MediaInfo> {
    const json = await this.policy.execute(() => this.call('GET', this.url(encodeURIComponent(mediaId))));
    if (typeof json.url !== 'string') throw new GraphError('Graph API: media has no url', 'client');
    return {
      url: json.url,
      mimeType: typeof json.mime_type === 'string' ? json.mime_type : undefined,
      fileSize: typeof json.file_size === 'number' ? json.file_size : undefined,
    };
  }

  /** Step two: the bytes, fetched with the same bearer token. */
  async download(url: string): Promise<Response> {
    const res = await this.fetch(url, {
      headers: { authorization: `Bearer ${this.options.accessToken}` },
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) throw new GraphError(`media download ${res.status}`, classify(res.status, undefined), res.status);
    return res;
  }
}
