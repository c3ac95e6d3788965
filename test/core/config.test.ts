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
  });
});
