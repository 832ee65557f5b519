import { ConfigError } from '@sdp/config';
import { loadDeliveryConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://sdp:pw@127.0.0.1:55432/sdp',
  KAFKA_BROKERS: '127.0.0.1:59092',
  INTERNAL_AUTH_SECRET: 'x'.repeat(32),
  REDIS_LOCK_URLS: 'redis://127.0.0.1:56380,redis://127.0.0.1:56381,redis://127.0.0.1:56382',
};

describe(loadDeliveryConfig.name, () => {
  it('applies the dispatch defaults', () => {
    expect(loadDeliveryConfig(valid)).toMatchObject({
      PORT: 3600,
      INSTANCE_ID: 'delivery-3600',
      DB_SCHEMA: 'delivery',
      LOCK_BACKEND: 'redlock',
      REDIS_LOCK_URLS: ['redis://127.0.0.1:56380', 'redis://127.0.0.1:56381', 'redis://127.0.0.1:56382'],
      LOCK_TTL_MS: 2_000,
      COURIER_COUNT: 20,
      ASSIGN_OFFER_MS: 100,
      DELIVERY_TIME_MS: 20_000,
      DISPATCH_ENABLED: true,
    });
  });

  it('refuses bad settings, naming each variable', () => {
    const attempt = () =>
      loadDeliveryConfig({
        ...valid,
        REDIS_LOCK_URLS: 'http://nope',
        LOCK_TTL_MS: '50',
        COURIER_COUNT: '0',
        ASSIGN_OFFER_MS: '-1',
        DELIVERY_TIME_MS: 'soon',
        DISPATCH_ENABLED: 'maybe',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/REDIS_LOCK_URLS: each lock node must be a redis:\/\/ URL/);
    expect(attempt).toThrow(/LOCK_TTL_MS: must be at least 200/);
    expect(attempt).toThrow(/COURIER_COUNT: must be > 0/);
    expect(attempt).toThrow(/ASSIGN_OFFER_MS: must be >= 0/);
    expect(attempt).toThrow(/DELIVERY_TIME_MS: must be a number/);
    expect(attempt).toThrow(/DISPATCH_ENABLED: must be true or false/);
  });

  it('requires the lock nodes of the chosen backend, naming the variable', () => {
    const withoutLocks: Record<string, string | undefined> = { ...valid, REDIS_LOCK_URLS: undefined };
    expect(() => loadDeliveryConfig(withoutLocks)).toThrow(
      /REDIS_LOCK_URLS: is required with LOCK_BACKEND=redlock/,
    );
    expect(() => loadDeliveryConfig({ ...withoutLocks, LOCK_BACKEND: 'zookeeper' })).toThrow(
      /ZOOKEEPER_URL: is required with LOCK_BACKEND=zookeeper/,
    );
    expect(
      loadDeliveryConfig({ ...withoutLocks, LOCK_BACKEND: 'zookeeper', ZOOKEEPER_URL: '127.0.0.1:52181' }),
    ).toMatchObject({ LOCK_BACKEND: 'zookeeper', ZOOKEEPER_URL: '127.0.0.1:52181' });
  });
});
