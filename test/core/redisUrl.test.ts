/** REDIS_URL's one parser: every documented form, and wrong values refused with a reason that hides the password. */
import { describe, expect, it } from 'vitest';
import { describeRedisTarget, parseHostList, parseRedisUrl, RedisUrlError } from '../../bot/storage/redisUrl';
import { redisOptionsOf } from '../../bot/storage/redisClient';

describe('REDIS_URL parser', () => {
  it('reads the Sentinel URL exactly as .env.example documents it', () => {
    expect(parseRedisUrl('redis-sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster?db=0&password=secret')).toEqual({
      kind: 'sentinel',
      sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26379 }],
      masterName: 'mymaster',
      db: 0,
      password: 'secret',
      tls: false,
    });
  });

  it('reads Sentinel extras: default port, IPv6, sentinel credentials, TLS, a "+" and "@" in passwords', () => {
    const t = parseRedisUrl('redis-sentinel://:p%2Fa+ss@[fd00::1],sentinel-2.local:5000/cache.main?db=3&sentinelPassword=s@1&sentinelUsername=mon&tls=true');
    expect(t).toMatchObject({
      kind: 'sentinel',
      sentinels: [{ host: 'fd00::1', port: 26379 }, { host: 'sentinel-2.local', port: 5000 }],
      masterName: 'cache.main',
      db: 3,
      password: 'p/a+ss',
      sentinelPassword: 's@1',
      sentinelUsername: 'mon',
      tls: true,
    });
    expect(redisOptionsOf(t)).toMatchObject({
      sentinels: [{ host: 'fd00::1', port: 26379 }, { host: 'sentinel-2.local', port: 5000 }],
      name: 'cache.main',
      db: 3,
      password: 'p/a+ss',
      sentinelPassword: 's@1',
      sentinelUsername: 'mon',
      enableTLSForSentinelMode: true,
    });
  });

  it.each([
    ['redis://127.0.0.1:6379', { kind: 'standalone', endpoint: { host: '127.0.0.1', port: 6379 }, db: 0, tls: false }],
    ['redis://localhost/4', { endpoint: { host: 'localhost', port: 6379 }, db: 4 }],
    ['redis://cache:6380?db=2', { endpoint: { host: 'cache', port: 6380 }, db: 2 }],
    ['rediss://app:pa%3Ass@redis.example.com:6380/1', { endpoint: { host: 'redis.example.com', port: 6380 }, db: 1, tls: true, username: 'app', password: 'pa:ss' }],
    ['redis://:secret@[::1]:6390/0?family=6', { endpoint: { host: '::1', port: 6390 }, password: 'secret', family: 6 }],
    ['  REDIS://h  ', { kind: 'standalone', endpoint: { host: 'h', port: 6379 } }],
  ])('reads %s', (url, expected) => {
    expect(parseRedisUrl(url)).toMatchObject(expected);
  });

  it('describes where it connects for messages, without the password', () => {
    expect(describeRedisTarget(parseRedisUrl('redis://:pw@10.0.0.5:6380/2'))).toBe('redis://10.0.0.5:6380 (db 2)');
    expect(describeRedisTarget(parseRedisUrl('rediss://[::1]'))).toBe('rediss://[::1]:6379 (db 0)');
    expect(describeRedisTarget(parseRedisUrl('redis-sentinel://a:26379,b/mymaster?password=pw&sentinelPassword=spw'))).toBe(
      'Sentinel master "mymaster" via a:26379,b:26379 (db 0)',
    );
  });

  it('follows Sentinel failovers as they are announced and reconnects on READONLY', () => {
    const options = redisOptionsOf(parseRedisUrl('redis-sentinel://a:26379/mymaster'));
    expect(options.failoverDetector).toBe(true);
    expect(options.reconnectOnError?.(new Error("READONLY You can't write against a read only replica."))).toBe(1);
    expect(options.reconnectOnError?.(new Error('ERR wrong number of arguments'))).toBe(false);
  });

  it('gives ioredis TLS for rediss:// and host/port/db for redis://', () => {
    expect(redisOptionsOf(parseRedisUrl('rediss://h:7000/2'))).toEqual({ host: 'h', port: 7000, db: 2, tls: {} });
    expect(redisOptionsOf(parseRedisUrl('redis://h'))).toEqual({ host: 'h', port: 6379, db: 0 });
  });

  it.each([
    ['http://127.0.0.1:6379', 'unknown scheme'],
    ['127.0.0.1:6379', '"127.0.0.1:6379" has no scheme: expected redis://127.0.0.1:6379'],
    ['localhost', '"localhost" has no scheme: expected redis://localhost'],
    [':secret@localhost:6379', 'no scheme: expected redis://host:port/db'],
    ['redis://', 'no host'],
    ['redis://h:0', 'port must be 1-65535'],
    ['redis://h:99999', 'port must be 1-65535'],
    ['redis://h:port', 'is not host'],
    ['redis://::1:6379', 'IPv6 address in brackets'],
    ['redis://[1.2.3.4]:6379', 'only IPv6'],
    ['redis://a:1,b:2', 'several hosts need redis-sentinel://'],
    ['redis://h/x', 'db must be a whole number'],
    ['redis://h/1?db=2', 'db given both'],
    ['redis://h?tls=true', 'unknown parameter "tls"'],
    ['redis://h?db=1&db=2', 'given twice'],
    ['redis://h#frag', 'expected redis://'],
    ['redis://h?family=5', 'family must be 4 or 6'],
    ['redis://hunter2@h', 'user:password@'],
    ['redis://:topsecret@h?password=topsecret', 'password given both'],
    ['redis://h/%E0%A4%A', 'broken %-escape'],
    ['redis-sentinel://a:26379,b:26379', 'master name is missing'],
    ['redis-sentinel://a:26379,,b/m', 'empty host'],
    ['redis-sentinel://a/m?tls=yes', 'tls must be true or false'],
    ['redis-sentinel://a/m?sentinel_password=x', 'unknown parameter'],
  ])('refuses %s', (url, reason) => {
    let error: unknown;
    try {
      parseRedisUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RedisUrlError);
    expect((error as Error).message).toContain(reason);
    expect((error as Error).message).not.toContain('secret');
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('reads a cluster seed list with the same host rules', () => {
    expect(parseHostList('10.0.0.1:7000, [::1]:7001,redis-3', 6379)).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '::1', port: 7001 },
      { host: 'redis-3', port: 6379 },
    ]);
    expect(() => parseHostList('a:7000 b:7001', 6379)).toThrow(RedisUrlError);
  });
});
