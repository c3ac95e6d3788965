/**
 * The one parser of REDIS_URL (and of REDIS_CLUSTER_NODES' host list), used by the config
 * schema to refuse a wrong value at start-up and by redisClient.ts to connect. WHATWG `new URL()`
 * cannot read a Sentinel URL (several comma-separated hosts), so the grammar is parsed here:
 *
 *   redis://[user:password@]host[:port][/db][?db=N&password=…&family=4|6]
 *   rediss://…                                   (the same, over TLS)
 *   redis-sentinel://[user:password@]h1[:p1],h2[:p2],…/masterName[?db=N&password=…
 *                    &sentinelPassword=…&sentinelUsername=…&tls=true&family=4|6]
 *
 * Hosts may be names, IPv4 or bracketed IPv6 ([::1]:6379). Messages never repeat a password.
 */

export interface RedisEndpoint {
  host: string;
  port: number;
}

interface Credentials {
  username?: string;
  password?: string;
  db: number;
  family?: 4 | 6;
}

export type RedisTarget =
  | ({ kind: 'standalone'; endpoint: RedisEndpoint; tls: boolean } & Credentials)
  | ({
      kind: 'sentinel';
      sentinels: RedisEndpoint[];
      masterName: string;
      sentinelUsername?: string;
      sentinelPassword?: string;
      /** TLS to the sentinels and to the master they name. */
      tls: boolean;
    } & Credentials);

export class RedisUrlError extends Error {}

const SCHEMES = { 'redis:': 6379, 'rediss:': 6379, 'redis-sentinel:': 26379 } as const;
type Scheme = keyof typeof SCHEMES;
const COMMON_PARAMS = ['db', 'password', 'family'];
const SENTINEL_PARAMS = [...COMMON_PARAMS, 'sentinelPassword', 'sentinelUsername', 'tls'];
const FORM = 'redis://host:port/db, rediss://… or redis-sentinel://host:port,host:port/masterName?db=N&password=…';

function fail(message: string): never {
  throw new RedisUrlError(message);
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return fail(`${what} has a broken %-escape`);
  }
}

/** "host", "host:port", "[v6]" or "[v6]:port". */
function parseEndpoint(item: string, defaultPort: number): RedisEndpoint {
  const s = item.trim();
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/.exec(s);
  if (!m) {
    if (/^[0-9A-Fa-f:]+$/.test(s) && s.split(':').length > 2) fail(`"${s}": put an IPv6 address in brackets, e.g. [::1]:6379`);
    return fail(`"${s}" is not host, host:port or [IPv6]:port`);
  }
  const host = m[1] ?? m[2];
  if (m[1] !== undefined && !m[1].includes(':')) fail(`"${s}": only IPv6 addresses go in brackets`);
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (port < 1 || port > 65535) fail(`"${s}": port must be 1-65535`);
  return { host, port };
}

/** A comma-separated host[:port] list (Sentinel hosts, REDIS_CLUSTER_NODES). */
export function parseHostList(list: string, defaultPort: number): RedisEndpoint[] {
  const items = list.split(',');
  if (items.some((i) => i.trim() === '')) fail('empty host in the comma-separated list');
  return items.map((i) => parseEndpoint(i, defaultPort));
}

function parseDb(value: string): number {
  if (!/^\d{1,6}$/.test(value)) fail('db must be a whole number (0, 1, …)');
  return Number(value);
}

/**
 * The query, decoded with decodeURIComponent: unlike URLSearchParams it keeps a "+" in a
 * password a "+" (not a space).
 */
function parseQuery(query: string, allowed: string[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq), 'a parameter name');
    if (!allowed.includes(key)) fail(`unknown parameter "${key}" (allowed: ${allowed.join(', ')})`);
    if (params.has(key)) fail(`parameter "${key}" given twice`);
    params.set(key, decode(eq === -1 ? '' : pair.slice(eq + 1), `the value of ${key}`));
  }
  return params;
}

export function parseRedisUrl(input: string): RedisTarget {
  const url = input.trim();
  if (!url.includes('://')) {
    // "localhost:6379" would otherwise be a silent guess at scheme and database: say what to write.
    const plain = /^[A-Za-z0-9._[\]:-]+(\/\d+)?$/.test(url) && !url.includes('@');
    fail(plain ? `"${url}" has no scheme: expected redis://${url} (rediss:// for TLS, redis-sentinel://… for Sentinel)` : `no scheme: expected ${FORM}`);
  }
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:)\/\/([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/.exec(url);
  if (!m) fail(`expected ${FORM} (a "#", or a "/" or "?" in a password, must be %-encoded)`);
  const scheme = m[1].toLowerCase();
  if (!(scheme in SCHEMES)) fail(`unknown scheme "${scheme}//"; expected redis://, rediss:// or redis-sentinel://`);
  const sentinel = scheme === 'redis-sentinel:';
  const authority = m[2];
  const path = decode(m[3] ?? '', 'the path');

  // The last "@" ends the credentials (a password may hold an unescaped "@").
  const at = authority.lastIndexOf('@');
  const hosts = at === -1 ? authority : authority.slice(at + 1);
  const creds: Credentials = { db: 0 };
  if (at !== -1) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    const user = decode(colon === -1 ? userinfo : userinfo.slice(0, colon), 'the user name');
    if (colon === -1) {
      // redis://secret@host is a common slip for redis://:secret@host; Redis 6 ACL users need both.
      fail('credentials must be user:password@ or :password@');
    }
    if (user) creds.username = user;
    creds.password = decode(userinfo.slice(colon + 1), 'the password');
  }
  if (hosts === '') fail('no host');

  const params = parseQuery(m[4] ?? '', sentinel ? SENTINEL_PARAMS : COMMON_PARAMS);
  const queryPassword = params.get('password');
  if (queryPassword !== undefined) {
    if (creds.password !== undefined) fail('password given both before "@" and as ?password=');
    creds.password = queryPassword;
  }
  const family = params.get('family');
  if (family !== undefined) {
    if (family !== '4' && family !== '6') fail('family must be 4 or 6');
    creds.family = family === '4' ? 4 : 6;
  }
  const queryDb = params.get('db');
  if (queryDb !== undefined) creds.db = parseDb(queryDb);

  const defaultPort = SCHEMES[scheme as Scheme];
  if (!sentinel) {
    const endpoints = parseHostList(hosts, defaultPort);
    if (endpoints.length > 1) fail('several hosts need redis-sentinel:// (Sentinel) or REDIS_CLUSTER_NODES (Cluster)');
    if (path !== '' && path !== '/') {
      if (queryDb !== undefined) fail('db given both as the path and as ?db=');
      creds.db = parseDb(path.slice(1));
    }
    return { kind: 'standalone', endpoint: endpoints[0], tls: scheme === 'rediss:', ...creds };
  }

  const masterName = path.replace(/^\//, '');
  if (masterName === '') fail('the master name is missing: redis-sentinel://host:port,host:port/<masterName>');
  if (!/^[^\s/]+$/.test(masterName)) fail('the master name may not hold spaces or "/"');
  const tls = params.get('tls');
  if (tls !== undefined && tls !== 'true' && tls !== 'false') fail('tls must be true or false');
  const target: RedisTarget = {
    kind: 'sentinel',
    sentinels: parseHostList(hosts, defaultPort),
    masterName,
    tls: tls === 'true',
    ...creds,
  };
  const sentinelUsername = params.get('sentinelUsername');
  const sentinelPassword = params.get('sentinelPassword');
  if (sentinelUsername !== undefined) target.sentinelUsername = sentinelUsername;
  if (sentinelPassword !== undefined) target.sentinelPassword = sentinelPassword;
  return target;
}

/** Where a client connects, for messages: host:port, the Sentinel master and its sentinels; never a password. */
export function describeRedisTarget(target: RedisTarget): string {
  const show = (e: RedisEndpoint) => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);
  if (target.kind === 'standalone') return `${target.tls ? 'rediss' : 'redis'}://${show(target.endpoint)} (db ${target.db})`;
  return `Sentinel master "${target.masterName}" via ${target.sentinels.map(show).join(',')} (db ${target.db})`;
}

/** For the config schema: why the value is wrong, or undefined when it is fine. */
export function redisUrlProblem(url: string): string | undefined {
  try {
    parseRedisUrl(url);
    return undefined;
  } catch (err) {
    if (err instanceof RedisUrlError) return err.message;
    throw err;
  }
}

/** The same for a REDIS_CLUSTER_NODES list. */
export function hostListProblem(list: string): string | undefined {
  try {
    parseHostList(list, 6379);
    return undefined;
  } catch (err) {
    if (err instanceof RedisUrlError) return err.message;
    throw err;
  }
}
