/**
 * The official botframework-directlinejs client in Node. It talks HTTP through rxjs's ajax,
 * which needs XMLHttpRequest (browsers only), so it is given the same calls over fetch
 * through its `ajax` service option; everything else (URLs, headers, bodies, watermarks,
 * the WebSocket) is the library's own code.
 */
import { Observable } from 'rxjs/Observable';
import { WebSocket as NodeWebSocket } from 'ws';
import { DirectLine, ConnectionStatus, type Activity, type Message } from 'botframework-directlinejs';

interface AjaxRequest {
  method?: string;
  url?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeout?: number;
  responseType?: string;
}

interface AjaxError {
  status: number;
  response: unknown;
  xhr: { getResponseHeader(name: string): string | null };
}

/** One request the library makes, recorded for assertions. */
export interface AjaxCall {
  method: string;
  url: string;
  status: number;
}

export function fetchAjax(calls: AjaxCall[] = []) {
  return (request: AjaxRequest | string) =>
    new Observable<unknown>((subscriber) => {
      const r: AjaxRequest = typeof request === 'string' ? { url: request } : request;
      const method = r.method ?? 'GET';
      const headers: Record<string, string> = { ...(r.headers ?? {}) };
      let body: BodyInit | undefined;
      if (r.body instanceof FormData) body = r.body;
      else if (r.body !== undefined && r.body !== null) body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      const controller = new AbortController();
      const timer = r.timeout ? setTimeout(() => controller.abort(), r.timeout) : undefined;
      fetch(r.url ?? '', { method, headers, body, signal: controller.signal })
        .then(async (res) => {
          const raw = r.responseType === 'arraybuffer' ? await res.arrayBuffer() : await res.text();
          let response: unknown = raw;
          if (typeof raw === 'string') {
            try {
              response = raw ? JSON.parse(raw) : null;
            } catch {
              response = raw;
            }
          }
          calls.push({ method, url: r.url ?? '', status: res.status });
          const xhr = { getResponseHeader: (name: string) => res.headers.get(name) };
          if (res.status >= 200 && res.status < 300) {
            subscriber.next({ status: res.status, response, xhr });
            subscriber.complete();
          } else {
            const err: AjaxError = { status: res.status, response, xhr };
            subscriber.error(err);
          }
        })
        .catch((err: unknown) => {
          calls.push({ method, url: r.url ?? '', status: 0 });
          subscriber.error({ status: 0, response: String(err), xhr: { getResponseHeader: () => null } });
        })
        .finally(() => timer && clearTimeout(timer));
      return () => controller.abort();
    });
}

// The library checks for a global WebSocket (browsers have one; Node 20 does not).
const g = globalThis as { WebSocket?: unknown };
if (!g.WebSocket) g.WebSocket = NodeWebSocket;

export interface ClientOptions {
  token: string;
  webSocket: boolean;
  conversationId?: string;
  watermark?: string;
  locale?: string;
  calls?: AjaxCall[];
}

export function directLineClient(baseUrl: string, o: ClientOptions): DirectLine {
  return new DirectLine({
    domain: `${baseUrl}/v3/directline`,
    token: o.token,
    webSocket: o.webSocket,
    conversationId: o.conversationId,
    watermark: o.watermark,
    pollingInterval: 200,
    conversationStartProperties: o.locale ? { locale: o.locale } : undefined,
    ajax: fetchAjax(o.calls),
    WebSocket: NodeWebSocket,
  } as unknown as ConstructorParameters<typeof DirectLine>[0]);
}

export { DirectLine, ConnectionStatus, type Activity, type Message };
