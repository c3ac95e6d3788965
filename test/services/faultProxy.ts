/**
 * A deliberately broken server on loopback: a proxy in front of the simulator that applies
 * one scripted fault per incoming request (then passes requests through), and records what
 * it saw so tests can count attempts.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | 'pass'
  | 'status500'
  | 'status503'
  | 'garbage'
  | 'wrongShape'
  | 'reset'
  /** The simulator does the work (a record is created); the answer never arrives. */
  | 'forwardThenReset'
  | { slowMs: number; forward?: boolean };

export interface FaultProxy {
  url: string;
  /** Faults for the next requests, in order; afterwards requests pass through. */
  plan(...faults: Fault[]): void;
  seen: { method: string; path: string }[];
  stop(): Promise<void>;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: target.host };
    const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (res) => {
      void readAll(res).then((b) => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string' && k !== 'transfer-encoding') h[k] = v;
        resolve({ status: res.statusCode ?? 502, headers: h, body: b });
      }, reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const queue: Fault[] = [];
  const seen: FaultProxy['seen'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(() => {
        timers.delete(t);
        r();
      }, ms);
      timers.add(t);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readAll(req);
    seen.push({ method: req.method ?? '', path: req.url ?? '' });
    const fault = queue.shift() ?? 'pass';
    const sendJson = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
    };
    if (fault === 'status500') return sendJson(500, '<html>Internal Server Error</html>');
    if (fault === 'status503') return sendJson(503, JSON.stringify({ error: { reason: 'maintenance', message: 'down' } }));
    if (fault === 'garbage') return sendJson(200, '{"accessToken": "abc", oops');
    if (fault === 'wrongShape') return sendJson(200, JSON.stringify({ idNumber: 42, name: null }));
    if (fault === 'reset') return void req.socket.destroy();
    if (typeof fault === 'object' && !fault.forward) {
      await sleep(fault.slowMs);
    }
    const answer = await forward(target, req, body);
    if (fault === 'forwardThenReset') return void req.socket.destroy();
    if (typeof fault === 'object' && fault.forward) await sleep(fault.slowMs);
    if (res.destroyed || req.socket.destroyed) return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    plan: (...faults) => void queue.push(...faults),
    seen,
    async stop() {
      for (const t of timers) clearTimeout(t);
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}
