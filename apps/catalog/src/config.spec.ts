import { ConfigError } from '@sdp/config';
import { loadCatalogConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://sdp:pw@127.0.0.1:55432/sdp',
  REDIS_CACHE_URL: 'redis://127.0.0.1:56379',
  KAFKA_BROKERS: '127.0.0.1:59092',
  INTERNAL_AUTH_SECRET: 'a-test-secret-that-is-long-enough-123',
};

describe(loadCatalogConfig.name, () => {
  it('applies defaults and derives the instance id from the port', () => {
    const config = loadCatalogConfig({ ...valid, PORT: '3101' });
    expect(config).toMatchObject({
      PORT: 3101,
      INSTANCE_ID: 'catalog-3101',
      DB_SCHEMA: 'catalog',
      PRODUCT_CACHE_ENABLED: true,
      WRITE_BACK_LEASE_MS: 30_000,
      WRITE_BACK_TEST_PAUSE_BEFORE_COMMIT_MS: 0, // the test-only hook is off unless set
    });
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:59092']);
  });

  it('refuses to start on invalid configuration, naming every bad variable', () => {
    const attempt = () =>
      loadCatalogConfig({
        ...valid,
        PORT: '99999',
        DB_SCHEMA: 'Robert"; DROP',
        REDIS_CACHE_URL: undefined,
        PRODUCT_CACHE_TTL_SECONDS: '-5',
        INTERNAL_AUTH_SECRET: 'short',
        EDGE_URL: 'not a url',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT: must be between 1 and 65535/);
    expect(attempt).toThrow(/DB_SCHEMA: must be a lowercase SQL identifier/);
    expect(attempt).toThrow(/REDIS_CACHE_URL: .*not set/);
    expect(attempt).toThrow(/PRODUCT_CACHE_TTL_SECONDS: must be > 0/);
    expect(attempt).toThrow(/INTERNAL_AUTH_SECRET: must be at least 32 characters/);
    expect(attempt).toThrow(/EDGE_URL/);
  });
});
