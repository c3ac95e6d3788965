/**
 * A deterministic generator of bad requests for a body-reading route, and a runner that sends
 * them with bounded concurrency and counts the answers. Shared by test/core/bodyFuzz.test.ts
 * (≥ 1,000 cases per route) and bench/fuzz.ts (many more).
 */
import { credentials, health, limitOf, MAX_BODY_BYTES, sendRaw, type BodyRoute, type Outcome, type RawRequest } from './bodyRoutes';

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '',
  'application/json\u0000',
  'a'.repeat(300),
];
const ENCODINGS = ['gzip', 'deflate', 'br', 'x-gzip', 'compress', 'identity', 'IDENTITY', 'gzip, identity', 'identity, gzip', 'zstd', 'ééé', ''];
const ODD_STRINGS = ['', '\u202e\u0645\u0631\u062d\u0628\u0627', '\ud800', '<script>x</script>', '\u0000', '٠١٢٣٤٥٦٧٨٩', '%00', '../../etc/passwd', '{"$ne":null}', '\uFEFF'];

function randomBytes(r: Rand, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return b;
}

function randomValue(r: Rand, depth = 0): unknown {
  switch (int(r, depth > 2 ? 7 : 9)) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return pick(r, [0, -1, 1e308, -0, 2 ** 53 + 1, 3.14]);
    case 3: return pick(r, ODD_STRINGS);
    case 4: return 'x'.repeat(pick(r, [1, 100, 5000, 70_000]));
    case 5: return String.fromCharCode(...Array.from({ length: 8 }, () => int(r, 0xffff)));
    case 6: return int(r, 1e9).toString(36);
    case 7: return Array.from({ length: int(r, 4) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: int(r, 4) }, () => [pick(r, ['type', 'text', 'from', 'id', '__proto__', 'constructor', 'x']), randomValue(r, depth + 1)]));
  }
}

/** A seed with one field, at any depth, swapped for a value of another kind. */
function wrongType(r: Rand, seed: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(seed)) as unknown;
  let node = copy;
  for (let d = 0; d < 4; d++) {
    if (!node || typeof node !== 'object') break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = pick(r, keys);
    const child = (node as Record<string, unknown>)[key];
    if (child && typeof child === 'object' && r() < 0.5) {
      node = child;
      continue;
    }
    (node as Record<string, unknown>)[key] = randomValue(r);
    break;
  }
  return copy;
}

function mutateText(r: Rand, text: Buffer): Buffer {
  let b = text;
  for (let n = 1 + int(r, 4); n > 0; n--) {
    const at = int(r, b.length + 1);
    switch (int(r, 5)) {
      case 0: b = b.subarray(0, at); break; // truncate
      case 1: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(r, 16)))]); break; // delete a range
      case 2: b = Buffer.concat([b.subarray(0, at), randomBytes(r, 1 + int(r, 8)), b.subarray(at)]); break; // insert bytes
      case 3: b = Buffer.concat([b.subarray(0, at), Buffer.from(pick(r, ['{', '}', '[', ']', '"', ',', ':', '\\', 'null', '\\u0000', '\\ud800'])), b.subarray(at)]); break;
      default: {
        const copy = Buffer.from(b);
        if (copy.length) copy[Math.min(at, copy.length - 1)] = int(r, 256); // flip a byte
        b = copy;
      }
    }
  }
  return b;
}

function nested(r: Rand): Buffer {
  const depth = pick(r, [100, 5_000, 50_000, 120_000]);
  const [open, close] = r() < 0.5 ? ['[', ']'] : ['{"a":', '}'];
  return Buffer.from(open.repeat(depth) + '1' + (r() < 0.8 ? close.repeat(depth) : ''));
}

export type CaseKind = 'bytes' | 'mutated' | 'wrong_type' | 'nested' | 'headers' | 'length_lie' | 'chunked' | 'oversize' | 'aborted';
const KINDS: readonly CaseKind[] = ['bytes', 'mutated', 'mutated', 'wrong_type', 'wrong_type', 'nested', 'headers', 'length_lie', 'chunked', 'oversize', 'aborted'];

export interface FuzzCase {
  kind: CaseKind;
  authenticated: boolean;
  request: RawRequest;
}

/** Case i of a route: the same i and seed give the same request on every run. */
export function fuzzCase(route: BodyRoute, seed: number, i: number): FuzzCase {
  const r = rng(seed ^ Math.imul(i + 1, 0x9e3779b1));
  const kind = pick(r, KINDS);
  const valid = Buffer.from(JSON.stringify(pick(r, route.seeds)));
  let body: Buffer;
  switch (kind) {
    case 'bytes': body = randomBytes(r, int(r, 2048)); break;
    case 'wrong_type': body = Buffer.from(JSON.stringify(wrongType(r, pick(r, route.seeds)))); break;
    case 'nested': body = nested(r); break;
    case 'oversize': body = Buffer.concat([valid.subarray(0, valid.length - 1), Buffer.from(',"pad":"'), Buffer.alloc(limitOf(route) + int(r, 64 * 1024), 0x61), Buffer.from('"}')]); break;
    case 'mutated': body = mutateText(r, valid); break;
    default: body = r() < 0.5 ? valid : mutateText(r, valid);
  }
  const headers: Array<[string, string]> = [];
  const type = kind === 'headers' || r() < 0.15 ? pick(r, CONTENT_TYPES) : 'application/json';
  if (type !== '' || r() < 0.5) headers.push(['content-type', type]);
  if (kind === 'headers' || r() < 0.1) headers.push(['content-encoding', pick(r, ENCODINGS)]);
  if (kind === 'headers' && r() < 0.3) headers.push([pick(r, ['x-ms-client-request-id', 'accept', 'x-forwarded-for', 'user-agent']), pick(r, ['', 'x'.repeat(4000), '\t', '1.2.3.4, 5.6.7.8'])]);
  // Authenticated variants (a signed-in agent, a valid token or signature) get past the door to the body's parser.
  const authenticated = (route.auth !== undefined || route.sign !== undefined) && r() < 0.7;
  if (authenticated) headers.push(...credentials(route, body));
  else if (route.auth) headers.push([route.auth[0]![0], pick(r, ['Bearer ' + 'x'.repeat(40), 'Bearer', 'garbage', ''])]);
  const request: RawRequest = { method: route.method, path: route.path, headers, body };
  if (kind === 'length_lie') request.framing = { kind: 'lie', length: pick(r, [String(Math.max(0, body.length - 1 - int(r, 10))), String(body.length + 1 + int(r, 100)), '-1', 'abc', '1e3', String(MAX_BODY_BYTES * 10), '0']) };
  if (kind === 'chunked' || (kind === 'oversize' && r() < 0.5)) request.framing = { kind: 'chunked', chunk: 1 + int(r, 4096) };
  if (kind === 'aborted') request.abortAfter = int(r, body.length);
  return { kind, authenticated, request };
}

export interface RouteTally {
  route: string;
  cases: number;
  /** Outcome → count: status codes, 'closed' (the server hung up), 'aborted' (we did), 'timeout'. */
  outcomes: Record<string, number>;
  fiveXx: number;
  /** The first few 5xx or timeouts, to reproduce them. */
  failures: Array<{ i: number; kind: CaseKind; outcome: Outcome }>;
}

/**
 * Sends cases [0, n) of a route with at most `concurrency` in flight, checking /healthz every
 * `healthEvery` cases (throws at once if the process stopped answering).
 */
export async function fuzzRoute(port: number, route: BodyRoute, options: { n: number; seed: number; concurrency?: number; healthEvery?: number }): Promise<RouteTally> {
  const { n, seed } = options;
  const concurrency = options.concurrency ?? 8;
  const healthEvery = options.healthEvery ?? 250;
  const tally: RouteTally = { route: route.name, cases: n, outcomes: {}, fiveXx: 0, failures: [] };
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const c = fuzzCase(route, seed, i);
      const outcome = await sendRaw(port, c.request, 10_000);
      const key = String(outcome);
      tally.outcomes[key] = (tally.outcomes[key] ?? 0) + 1;
      const bad = outcome === 'timeout' || (typeof outcome === 'number' && outcome >= 500);
      if (typeof outcome === 'number' && outcome >= 500) tally.fiveXx++;
      if (bad && tally.failures.length < 10) tally.failures.push({ i, kind: c.kind, outcome });
      if (i % healthEvery === healthEvery - 1) {
        const h = await health(port);
        if (h !== 200) throw new Error(`/healthz answered ${h} after case ${i} of ${route.name} (${c.kind})`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tally;
}
