import { ConfigError } from '@sdp/config';
import { loadInventoryConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://sdp:pw@127.0.0.1:55432/sdp',
  KAFKA_BROKERS: '127.0.0.1:59092',
  REDIS_LOCK_URLS: 'redis://127.0.0.1:56380,redis://127.0.0.1:56381,redis://127.0.0.1:56382',
  INTERNAL_AUTH_SECRET: 'x'.repeat(32),
};

describe(loadInventoryConfig.name, () => {
  it('applies the defaults from the brief', () => {
    const config = loadInventoryConfig(valid);
    expect(config).toMatchObject({
      PORT: 3200,
      INSTANCE_ID: 'inventory-3200',
      DB_SCHEMA: 'inventory',
      LOCK_TTL_MS: 2_000,
      LOCK_KEY_PREFIX: 'lock:',
      RESERVATION_TTL_SECONDS: 900,
      SWEEPER_INTERVAL_MS: 5_000,
      KAFKA_CONSUMER_GROUP: 'inventory',
      SEED_DEMO_DATA: true,
    });
    expect(config.REDIS_LOCK_URLS).toHaveLength(3);
  });

  it('refuses to start on invalid configuration, naming every bad variable', () => {
    const attempt = () =>
      loadInventoryConfig({
        ...valid,
        REDIS_LOCK_URLS: 'http://nope',
        INTERNAL_AUTH_SECRET: 'short',
        LOCK_TTL_MS: '50',
        RESERVATION_TTL_SECONDS: '0',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/REDIS_LOCK_URLS: each lock node must be a redis:\/\/ URL/);
    expect(attempt).toThrow(/INTERNAL_AUTH_SECRET: must be at least 32 characters/);
    expect(attempt).toThrow(/LOCK_TTL_MS: must be at least 200/);
    expect(attempt).toThrow(/RESERVATION_TTL_SECONDS: must be > 0/);
  });
});
