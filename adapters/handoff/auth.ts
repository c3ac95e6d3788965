/**
 * Agent sign-in: usernames with scrypt-hashed passwords from AGENT_CREDENTIALS, API keys
 * from AGENT_API_KEYS, and session tokens kept in Redis with a TTL (only their SHA-256 is
 * stored, so a Redis dump does not hand out live sessions). No anonymous access.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { RedisConnection } from '../../bot/storage/redisClient';
import type { AgentIdentity } from './types';

const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFC'), salt, KEY_LENGTH, { N: 16384, r: 8, p: 1 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** "scrypt$<salt>$<hash>" (base64url, so it fits inside AGENT_CREDENTIALS' ":" and "," separators). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt);
  return `scrypt$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

interface Credential {
  username: string;
  hash: string;
  name: string;
}

interface ApiKey {
  id: string;
  digest: Buffer;
  name: string;
}

function splitEntries(spec: string): string[][] {
  return spec
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => e.split(':'));
}

/** A well-formed hash nobody's password matches: an unknown username costs one scrypt like a known one. */
const UNKNOWN_USER_HASH = `scrypt$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEY_LENGTH).toString('base64url')}`;

export const DEMO_AGENT = { username: 'agent', password: 'agent123', name: 'أحمد' } as const;

export interface AgentAuthOptions {
  credentials: string;
  apiKeys: string;
  sessionTtlSeconds: number;
  production: boolean;
  prefix: string;
  logger: Logger;
  /** Password hashes (scrypt, on the worker pool) running at once; more sign-ins are answered "busy" (default 2). */
  maxConcurrentHashes?: number;
}

/** Hashing in flight and the most seen at once (tests, metrics). */
export interface HashingStats {
  active: number;
  peak: number;
  total: number;
}

export class AgentAuth {
  private readonly credentials = new Map<string, Credential>();
  private readonly keys: ApiKey[] = [];
  private readonly ready: Promise<void>;
  readonly hashing: HashingStats = { active: 0, peak: 0, total: 0 };

  constructor(
    private readonly redis: RedisConnection,
    private readonly options: AgentAuthOptions,
  ) {
    for (const [username, hash, ...name] of splitEntries(options.credentials)) {
      if (!username || !hash) throw new Error('Invalid configuration: AGENT_CREDENTIALS: expected "username:hash:Display name,…"');
      this.credentials.set(username, { username, hash, name: name.join(':') || username });
    }
    for (const [id, key, ...name] of splitEntries(options.apiKeys)) {
      if (!id || !key || key.length < 16) throw new Error('Invalid configuration: AGENT_API_KEYS: expected "agentId:key(16+ chars):Display name,…"');
      this.keys.push({ id, digest: sha256(key), name: name.join(':') || id });
    }
    if (this.credentials.size === 0 && this.keys.length === 0 && !options.production) {
      // A demo agent so the console works out of the box on a developer machine, never in production.
      options.logger.warn({ username: DEMO_AGENT.username }, 'AGENT_CREDENTIALS is empty: a demo agent is enabled (development only)');
      this.ready = hashPassword(DEMO_AGENT.password).then((hash) => {
        this.credentials.set(DEMO_AGENT.username, { username: DEMO_AGENT.username, hash, name: DEMO_AGENT.name });
      });
    } else {
      if (this.credentials.size === 0 && this.keys.length === 0) options.logger.warn('no agent credentials configured: nobody can sign in to the agent console');
      this.ready = Promise.resolve();
    }
  }

  private sessionKey(token: string): string {
    return `${this.options.prefix}ho:{hub}:session:${sha256(token).toString('hex')}`;
  }

  /**
   * Checks a username and password; on success a new session token and its lifetime, 'busy' when
   * the hashing slots are full (each scrypt holds a worker-pool thread that file reads also need,
   * so a sign-in flood must not take them all).
   */
  async login(username: string, password: string): Promise<{ token: string; agent: AgentIdentity; expiresIn: number } | 'busy' | undefined> {
    await this.ready;
    if (this.hashing.active >= (this.options.maxConcurrentHashes ?? 2)) return 'busy';
    const cred = this.credentials.get(username);
    this.hashing.active++;
    this.hashing.total++;
    this.hashing.peak = Math.max(this.hashing.peak, this.hashing.active);
    let ok: boolean;
    try {
      // Hash even for an unknown user (against a hash of the same cost), so the answer takes as long either way.
      ok = await verifyPassword(password, cred?.hash ?? UNKNOWN_USER_HASH);
    } finally {
      this.hashing.active--;
    }
    if (!cred || !ok) return undefined;
    const token = randomBytes(32).toString('base64url');
    const agent: AgentIdentity = { id: cred.username, name: cred.name };
    await this.redis.set(this.sessionKey(token), JSON.stringify(agent), 'EX', this.options.sessionTtlSeconds);
    return { token, agent, expiresIn: this.options.sessionTtlSeconds };
  }

  async logout(token: string): Promise<void> {
    await this.redis.del(this.sessionKey(token));
  }

  /** The agent behind an Authorization header ("Bearer <session token>") or an x-agent-key header. */
  async authenticate(authorization: string | undefined, apiKey: string | undefined): Promise<AgentIdentity | undefined> {
    if (apiKey) {
      const digest = sha256(apiKey);
      const match = this.keys.find((k) => timingSafeEqual(k.digest, digest));
      return match ? { id: match.id, name: match.name } : undefined;
    }
    const m = /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(authorization ?? '');
    if (!m?.[1]) return undefined;
    const raw = await this.redis.get(this.sessionKey(m[1]));
    if (!raw) return undefined;
    return JSON.parse(raw) as AgentIdentity;
  }
}
