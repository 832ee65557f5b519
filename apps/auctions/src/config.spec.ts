import { ConfigError } from '@sdp/config';
import { loadAuctionsConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://sdp:pw@127.0.0.1:55432/sdp',
  KAFKA_BROKERS: '127.0.0.1:59092',
  REDIS_LOCK_URLS: 'redis://127.0.0.1:56380,redis://127.0.0.1:56381,redis://127.0.0.1:56382',
  INTERNAL_AUTH_SECRET: 'x'.repeat(32),
};

describe(loadAuctionsConfig.name, () => {
  it('applies the defaults: port 3700, schema auctions, the lock strategy', () => {
    const config = loadAuctionsConfig(valid);
    expect(config).toMatchObject({
      PORT: 3700,
      INSTANCE_ID: 'auctions-3700',
      DB_SCHEMA: 'auctions',
      BID_STRATEGY: 'lock',
      LOCK_TTL_MS: 2_000,
      CAS_MAX_ATTEMPTS: 50,
      BID_CHECK_MS: 0,
      CLOSER_INTERVAL_MS: 1_000,
    });
    expect(config.REDIS_LOCK_URLS).toHaveLength(3);
    expect(loadAuctionsConfig({ ...valid, BID_STRATEGY: 'cas' }).BID_STRATEGY).toBe('cas');
    expect(config.LOCK_BACKEND).toBe('redlock');
    const zk = loadAuctionsConfig({
      ...valid,
      REDIS_LOCK_URLS: undefined,
      LOCK_BACKEND: 'zookeeper',
      ZOOKEEPER_URL: '127.0.0.1:52181',
    });
    expect(zk).toMatchObject({ LOCK_BACKEND: 'zookeeper', ZOOKEEPER_URL: '127.0.0.1:52181' });
  });

  it('refuses to start on invalid configuration, naming every bad variable', () => {
    const attempt = () =>
      loadAuctionsConfig({
        ...valid,
        BID_STRATEGY: 'optimistic',
        REDIS_LOCK_URLS: 'http://nope',
        LOCK_TTL_MS: '50',
        BID_CHECK_MS: '-1',
        CAS_MAX_ATTEMPTS: '0',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/BID_STRATEGY: must be lock or cas/);
    expect(attempt).toThrow(/REDIS_LOCK_URLS: each lock node must be a redis:\/\/ URL/);
    expect(attempt).toThrow(/LOCK_TTL_MS: must be at least 200/);
    expect(attempt).toThrow(/BID_CHECK_MS: must be >= 0/);
    expect(attempt).toThrow(/CAS_MAX_ATTEMPTS: must be > 0/);
    expect(() => loadAuctionsConfig({ ...valid, REDIS_LOCK_URLS: undefined })).toThrow(
      /REDIS_LOCK_URLS: is required with LOCK_BACKEND=redlock/,
    );
    expect(() => loadAuctionsConfig({ ...valid, LOCK_BACKEND: 'zookeeper' })).toThrow(
      /ZOOKEEPER_URL: is required with LOCK_BACKEND=zookeeper/,
    );
  });
});
