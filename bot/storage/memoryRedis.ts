/**
 * The in-memory stand-in for Redis used when no REDIS_URL is set (npm start's embedded defaults).
 *
 * ioredis-mock gets streams wrong in ways the product depends on: XADD `*` numbers entries 1-0, 2-0…
 * instead of time-based ids, MINID trimming is read as an entry id, and XRANGE compares ids with
 * parseInt, so a range from an id (`(1733-0`, `1733-5`) returns nothing. The agent console reads
 * the live relay "after the last id it saw", so in memory mode it never showed new lines. Here the
 * stream commands are replaced, on one instance and in its pipelines, by implementations that follow
 * Redis's documented semantics over the mock's own key space (so DEL, EXISTS and expiry still apply).
 */
import { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';

type Entry = [id: string, fields: string[]];

interface MockKeyspace {
  has(key: string): boolean;
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

interface MockInternals {
  data: MockKeyspace;
  customCommands: Record<string, (...args: unknown[]) => unknown>;
}

interface StreamId {
  ms: bigint;
  seq: bigint;
}

function parseId(id: string, missingSeq: bigint): StreamId {
  const m = /^(\d+)(?:-(\d+))?$/.exec(id);
  if (!m) throw new Error('ERR Invalid stream ID specified as stream command argument');
  return { ms: BigInt(m[1]!), seq: m[2] !== undefined ? BigInt(m[2]) : missingSeq };
}

function compare(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

const MAX_SEQ = 2n ** 64n - 1n;

/** A range bound: `-`, `+`, `id`, `ms` (whole millisecond) or `(id` (exclusive). */
function bound(spec: string, side: 'start' | 'end'): { id: StreamId; exclusive: boolean } | null {
  if (spec === '-' || spec === '+') return null;
  const exclusive = spec.startsWith('(');
  const raw = exclusive ? spec.slice(1) : spec;
  return { id: parseId(raw, side === 'start' ? 0n : MAX_SEQ), exclusive };
}

function inRange(id: StreamId, start: ReturnType<typeof bound>, end: ReturnType<typeof bound>): boolean {
  if (start) {
    const c = compare(id, start.id);
    if (c < 0 || (c === 0 && start.exclusive)) return false;
  }
  if (end) {
    const c = compare(id, end.id);
    if (c > 0 || (c === 0 && end.exclusive)) return false;
  }
  return true;
}

function streamOf(data: MockKeyspace, key: string): Entry[] {
  const value = data.get(key);
  return Array.isArray(value) ? (value as Entry[]) : [];
}

function countArg(args: string[]): number | undefined {
  const i = args.findIndex((a) => a.toUpperCase() === 'COUNT');
  return i >= 0 ? Number(args[i + 1]) : undefined;
}

function makeStreamCommands(data: MockKeyspace) {
  const xadd = (key: string, ...args: string[]): string => {
    let trim: { kind: 'MAXLEN' | 'MINID'; value: string } | undefined;
    let i = 0;
    if (args[i]?.toUpperCase() === 'NOMKSTREAM') i += 1;
    const kind = args[i]?.toUpperCase();
    if (kind === 'MAXLEN' || kind === 'MINID') {
      i += 1;
      if (args[i] === '~' || args[i] === '=') i += 1;
      trim = { kind, value: args[i]! };
      i += 1;
      if (args[i]?.toUpperCase() === 'LIMIT') i += 2;
    }
    const requested = args[i]!;
    const fields = args.slice(i + 1);
    if (fields.length === 0 || fields.length % 2 !== 0) throw new Error("ERR wrong number of arguments for 'xadd' command");
    const list = [...streamOf(data, key)];
    const last = list.length ? parseId(list[list.length - 1]![0], 0n) : { ms: 0n, seq: 0n };
    let id: StreamId;
    if (requested === '*') {
      const now = BigInt(Date.now());
      id = now > last.ms ? { ms: now, seq: 0n } : { ms: last.ms, seq: last.seq + 1n };
    } else {
      id = parseId(requested, 0n);
      if (list.length && compare(id, last) <= 0) throw new Error('ERR The ID specified in XADD is equal or smaller than the target stream top item');
    }
    const idText = `${id.ms}-${id.seq}`;
    list.push([idText, fields]);
    let kept = list;
    if (trim?.kind === 'MAXLEN') kept = list.slice(-Number(trim.value));
    if (trim?.kind === 'MINID') {
      const min = parseId(trim.value, 0n);
      kept = list.filter(([e]) => compare(parseId(e, 0n), min) >= 0);
    }
    data.set(key, kept);
    return idText;
  };

  const xrange = (key: string, start: string, end: string, ...rest: string[]): Entry[] => {
    const s = bound(start, 'start');
    const e = bound(end, 'end');
    const rows = streamOf(data, key).filter(([id]) => inRange(parseId(id, 0n), s, e));
    const count = countArg(rest);
    return count !== undefined ? rows.slice(0, count) : rows;
  };

  const xrevrange = (key: string, end: string, start: string, ...rest: string[]): Entry[] => {
    const rows = xrange(key, start, end).reverse();
    const count = countArg(rest);
    return count !== undefined ? rows.slice(0, count) : rows;
  };

  const xdel = (key: string, ...ids: string[]): number => {
    const list = streamOf(data, key);
    const drop = new Set(ids.map((id) => { const p = parseId(id, 0n); return `${p.ms}-${p.seq}`; }));
    const kept = list.filter(([id]) => !drop.has(id));
    if (data.has(key)) data.set(key, kept);
    return list.length - kept.length;
  };

  const xlen = (key: string): number => streamOf(data, key).length;

  return { xadd, xrange, xrevrange, xdel, xlen };
}

/** An ioredis-mock instance whose stream commands behave like Redis's, typed as an ioredis client. */
export function createMemoryRedis(): Redis {
  const mock = new RedisMock() as unknown as Redis & MockInternals;
  const commands = makeStreamCommands(mock.data);
  for (const [name, impl] of Object.entries(commands) as Array<[string, (...args: string[]) => unknown]>) {
    const call = (...args: unknown[]): Promise<unknown> => {
      try {
        return Promise.resolve(impl(...args.map(String)));
      } catch (err) {
        return Promise.reject(err);
      }
    };
    // Instance method for direct calls; customCommands entry so pipelines and MULTI use it too.
    (mock as unknown as Record<string, unknown>)[name] = call;
    mock.customCommands[name] = call;
  }
  return mock;
}
