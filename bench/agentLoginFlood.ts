/**
 * A sign-in flood against /api/agent/login and what it does to static files: N wrong-password
 * sign-ins at once from many loopback addresses (127.0.3.x, so per-address limits do not stop
 * them), while GET /agent/console.js is timed. Run with AGENT_LOGIN_CONCURRENT_HASHES=64 to see
 * the cost of unbounded hashing, and with the default (2).
 *   npx tsx bench/agentLoginFlood.ts [N=200]
 * Prints one JSON line: statuses of the flood and the static file's latency (ms) during it.
 */
import http from 'node:http';
import { loadConfig } from '../bot/config';
import { createApp } from '../bot/app';
import { createLogger } from '../bot/logger';
import { handoffModule } from '../adapters/handoff';
import { handoffDialogFactory } from '../dialogs/handoffDialog';
import { ruleRecognizer } from '../test/helpers/ruleRecognizer';

const n = Number(process.argv[2] ?? 200);
const config = loadConfig({ ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
const app = await createApp(config, { logger: createLogger({ level: 'silent' }), recognizer: ruleRecognizer(), channels: [handoffModule()], features: [handoffDialogFactory] });
const base = new URL(await app.listen());

function request(method: string, path: string, body?: string, from?: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: base.hostname, port: base.port, path, method, localAddress: from, agent: false, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

const timeStatic = async () => {
  const t0 = performance.now();
  await request('GET', '/agent/console.js');
  return performance.now() - t0;
};
const idle = [];
for (let i = 0; i < 5; i++) idle.push(await timeStatic());
const flood = Promise.all(Array.from({ length: n }, (_, i) => request('POST', '/api/agent/login', JSON.stringify({ username: `u${i % 20}`, password: 'wrong-password' }), `127.0.${3 + Math.floor(i / 250)}.${(i % 250) + 1}`)));
await new Promise((r) => setTimeout(r, 20));
const during = [];
for (let i = 0; i < 5; i++) during.push(await timeStatic());
const statuses = (await flood).reduce<Record<string, number>>((acc, s) => ((acc[s] = (acc[s] ?? 0) + 1), acc), {});
await app.close();
const r = (xs: number[]) => xs.map((x) => Math.round(x));
process.stdout.write(JSON.stringify({ n, hashes: process.env.AGENT_LOGIN_CONCURRENT_HASHES ?? '2', statuses, staticIdleMs: r(idle), staticDuringFloodMs: r(during) }) + '\n');
process.exit(0);
