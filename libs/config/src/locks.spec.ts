import { z } from 'zod';
import { loadConfig } from './load-config';
import { lockConfigShape, requireLockBackendSettings } from './locks';

const schema = z.object({ ...lockConfigShape() }).superRefine(requireLockBackendSettings);

describe('lockConfigShape', () => {
  it('defaults to Redlock, which needs REDIS_LOCK_URLS', () => {
    expect(() => loadConfig(schema, {})).toThrow(/REDIS_LOCK_URLS: is required with LOCK_BACKEND=redlock/);
    expect(loadConfig(schema, { REDIS_LOCK_URLS: 'redis://127.0.0.1:1,redis://127.0.0.1:2' })).toMatchObject({
      LOCK_BACKEND: 'redlock',
      REDIS_LOCK_URLS: ['redis://127.0.0.1:1', 'redis://127.0.0.1:2'],
    });
  });

  it('selects ZooKeeper, which needs ZOOKEEPER_URL', () => {
    expect(() => loadConfig(schema, { LOCK_BACKEND: 'zookeeper' })).toThrow(
      /ZOOKEEPER_URL: is required with LOCK_BACKEND=zookeeper \(not set\)/,
    );
    expect(
      loadConfig(schema, { LOCK_BACKEND: 'zookeeper', ZOOKEEPER_URL: 'zk-1:2181,zk-2:2181/sdp' }),
    ).toMatchObject({
      LOCK_BACKEND: 'zookeeper',
      ZOOKEEPER_URL: 'zk-1:2181,zk-2:2181/sdp',
      ZOOKEEPER_SESSION_TIMEOUT_MS: 5_000,
    });
  });

  it('names the variable for an unknown backend, a malformed connection string or session timeout', () => {
    expect(() => loadConfig(schema, { LOCK_BACKEND: 'etcd' })).toThrow(
      /LOCK_BACKEND: must be redlock or zookeeper \(got "etcd"\)/,
    );
    expect(() =>
      loadConfig(schema, { LOCK_BACKEND: 'zookeeper', ZOOKEEPER_URL: 'zookeeper://zk:2181' }),
    ).toThrow(/ZOOKEEPER_URL: must be host:port/);
    expect(() =>
      loadConfig(schema, {
        LOCK_BACKEND: 'zookeeper',
        ZOOKEEPER_URL: 'zk:2181',
        ZOOKEEPER_SESSION_TIMEOUT_MS: '500',
      }),
    ).toThrow(/ZOOKEEPER_SESSION_TIMEOUT_MS: must be from 1000 to 60000/);
  });
});
