import { ConfigError } from '@sdp/config';
import { loadOrdersConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://sdp:pw@127.0.0.1:55432/sdp',
  REDIS_CACHE_URL: 'redis://127.0.0.1:56379',
  KAFKA_BROKERS: '127.0.0.1:59092',
  INVENTORY_URL: 'http://127.0.0.1:8081/inventory/',
  CATALOG_URL: 'http://127.0.0.1:8081/catalog',
  INTERNAL_AUTH_SECRET: 'x'.repeat(32),
};

describe(loadOrdersConfig.name, () => {
  it('applies defaults and trims the base URLs', () => {
    const config = loadOrdersConfig({ ...valid, PORT: '3301' });
    expect(config).toMatchObject({
      PORT: 3301,
      INSTANCE_ID: 'orders-3301',
      DB_SCHEMA: 'orders',
      CART_TTL_SECONDS: 604_800,
      IDEMPOTENCY_KEY_TTL_HOURS: 24,
      UPSTREAM_TIMEOUT_MS: 8_000,
    });
    expect(config.INVENTORY_URL).toBe('http://127.0.0.1:8081/inventory');
  });

  it('accepts a base URL with a path (a service behind the load balancer)', () => {
    const config = loadOrdersConfig({ ...valid, INVENTORY_URL: ' http://lb:8081/inventory ' });
    expect(config.INVENTORY_URL).toBe('http://lb:8081/inventory');
    expect(() => loadOrdersConfig({ ...valid, INVENTORY_URL: 'http://127.0.0.1:8081/inv?x=1' })).toThrow(
      /INVENTORY_URL: must be a base URL/,
    );
  });

  it('refuses to start on invalid configuration, naming every bad variable', () => {
    const attempt = () =>
      loadOrdersConfig({
        ...valid,
        INVENTORY_URL: 'http://ok:1,http://ok:2',
        CATALOG_URL: undefined,
        INTERNAL_AUTH_SECRET: 'short',
        CART_TTL_SECONDS: '0',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/INVENTORY_URL: must be a base URL/);
    expect(attempt).toThrow(/CATALOG_URL: .*not set/);
    expect(attempt).toThrow(/INTERNAL_AUTH_SECRET: must be at least 32 characters/);
    expect(attempt).toThrow(/CART_TTL_SECONDS: must be > 0/);
  });
});
