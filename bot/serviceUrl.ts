/**
 * Which `serviceUrl` an activity on /api/messages may name. The bot POSTs its replies (and
 * later proactive messages) to that URL, so an open value is a server-side request forgery:
 * the allow-list is closed, and our own loopback connector routes are never on it.
 *
 * An entry is `scheme://host[:port]`: the host may start with `*.` (any subdomain, not the
 * apex), the port may be `*` (any port); without a port, the scheme's default. Paths are ignored.
 */

export interface ServiceUrlPattern {
  protocol: 'http:' | 'https:';
  /** Lower-case host; for a wildcard entry, the suffix after `*` (e.g. ".botframework.com"). */
  host: string;
  wildcard: boolean;
  /** '' for the scheme's default port, '*' for any. */
  port: string;
}

/**
 * Bot Framework's public-cloud channel hosts: every channel of the Bot Connector service
 * (directline, webchat, europe.webchat, slack, telegram, …) is under botframework.com, and
 * Teams answers from smba.trafficmanager.net. Only these exact Traffic Manager names: any
 * Azure customer can register a name under trafficmanager.net, so `*.trafficmanager.net` would
 * let them in.
 */
export const BOT_FRAMEWORK_SERVICE_URLS = 'https://*.botframework.com,https://smba.trafficmanager.net,https://smba.onyx.prod.teams.trafficmanager.net';

/** Development and tests add the Bot Framework Emulator and local fakes on loopback. */
export const LOOPBACK_SERVICE_URLS = 'http://localhost:*,http://127.0.0.1:*,http://[::1]:*';

export function defaultAllowedServiceUrls(nodeEnv: string): string {
  return nodeEnv === 'production' ? BOT_FRAMEWORK_SERVICE_URLS : `${BOT_FRAMEWORK_SERVICE_URLS},${LOOPBACK_SERVICE_URLS}`;
}

const ENTRY = /^(https?):\/\/(\*\.)?([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}|\*))?\/?$/i;

/** Parses a comma-separated allow-list; throws with the offending entry when one is not a pattern. */
export function parseServiceUrlPatterns(list: string): ServiceUrlPattern[] {
  const entries = list.split(',').map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('at least one origin');
  return entries.map((entry) => {
    const m = ENTRY.exec(entry);
    if (!m) throw new Error(`"${entry}" is not scheme://host[:port] (host may start with *., port may be *)`);
    const host = m[3].toLowerCase();
    const protocol = `${m[1].toLowerCase()}:` as 'http:' | 'https:';
    // URL.port is '' for the scheme's default port, so an explicit :443 / :80 is stored as ''.
    const port = m[4] === undefined || m[4] === String(defaultPort(protocol)) ? '' : m[4];
    return { protocol, host: m[2] ? `.${host}` : host, wildcard: Boolean(m[2]), port };
  });
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '0.0.0.0', '[::]']);

export interface ServiceUrlPolicyOptions {
  patterns: ServiceUrlPattern[];
  /** PUBLIC_URL: the built-in channels' connector routes live under it. */
  publicUrl?: string;
}

/**
 * A predicate for inbound serviceUrls. `ownPort` is the port the request came in on: a
 * loopback URL on that port is this process (its /connector/* routes), refused in every
 * environment, as is PUBLIC_URL's origin.
 */
export function serviceUrlPolicy(options: ServiceUrlPolicyOptions): (serviceUrl: string, ownPort?: number) => boolean {
  const publicOrigin = options.publicUrl ? safeUrl(options.publicUrl)?.origin : undefined;
  return (serviceUrl, ownPort) => {
    const url = safeUrl(serviceUrl);
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false;
    if (url.username || url.password) return false;
    if (publicOrigin && url.origin === publicOrigin) return false;
    const host = url.hostname.toLowerCase();
    if (ownPort !== undefined && LOOPBACK_HOSTS.has(host) && Number(url.port || defaultPort(url.protocol)) === ownPort) return false;
    return options.patterns.some((p) => matches(p, url.protocol, host, url.port));
  };
}

function matches(p: ServiceUrlPattern, protocol: string, host: string, port: string): boolean {
  if (p.protocol !== protocol) return false;
  if (p.port !== '*' && p.port !== port) return false;
  // ".botframework.com" matches "x.botframework.com", not "botframework.com" or "evilbotframework.com".
  return p.wildcard ? host.endsWith(p.host) && host.length > p.host.length : host === p.host;
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
