import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../bot/config';

describe('configuration', () => {
  it('has safe defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3978);
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.SERVICES_API_URL).toBeUndefined();
    expect(c.CONVERSATION_TTL_SECONDS).toBeLessThan(c.USER_TTL_SECONDS);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ SERVICES_API_URL: 'not a url' }, 'SERVICES_API_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ CONVERSATION_TTL_SECONDS: '5' }, 'CONVERSATION_TTL_SECONDS'],
    [{ MicrosoftAppId: 'abc' }, 'MicrosoftAppPassword'],
    [{ MicrosoftAppType: 'SingleTenant' }, 'MicrosoftAppTenantId'],
    [{ REDIS_URL: 'redis-sentinel://10.0.0.1:26379,10.0.0.2:26379?password=secret' }, 'REDIS_URL: the master name is missing'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL: "localhost:6379" has no scheme: expected redis://localhost:6379'],
    [{ REDIS_CLUSTER_NODES: 'a:7000', REDIS_MIN_REPLICAS_ACK: '17' }, 'REDIS_MIN_REPLICAS_ACK'],
    [{ REDIS_CLUSTER_NODES: '10.0.0.1:7000;10.0.0.2:7000' }, 'REDIS_CLUSTER_NODES:'],
  ])('stops with one line naming the variable: %j', (env, name) => {
    let message = '';
    try {
      loadConfig(env as NodeJS.ProcessEnv);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toContain(name);
    expect(message.split('\n')).toHaveLength(1);
    expect(message).not.toContain('secret');
  });

  it('accepts REDIS_MIN_REPLICAS_ACK with a Cluster (WAIT goes to the master of the written key)', () => {
    const c = loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7000', REDIS_MIN_REPLICAS_ACK: '1' });
    expect(c.REDIS_MIN_REPLICAS_ACK).toBe(1);
  });

  it('accepts every REDIS_URL form .env.example documents (standalone and Sentinel)', () => {
    const urls = [...readFileSync('.env.example', 'utf8').matchAll(/REDIS_URL=(\S+)/g)].map((m) => m[1]);
    expect(urls).toContain('redis-sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster?db=0&password=secret');
    for (const url of urls) expect(loadConfig({ REDIS_URL: url }).REDIS_URL).toBe(url);
  });
});
