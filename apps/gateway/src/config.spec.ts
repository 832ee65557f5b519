import { ConfigError } from '@sdp/config';
import { loadGatewayConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://sdp:pw@127.0.0.1:55432/sdp',
  REDIS_CACHE_URL: 'redis://127.0.0.1:56379',
  KAFKA_BROKERS: '127.0.0.1:59092',
  UPSTREAM_BASE_URL: 'http://127.0.0.1:8081/',
  INTERNAL_AUTH_SECRET: 'an-internal-secret-that-is-long-enough',
  JWT_SECRET: 'a-jwt-secret-that-is-at-least-32-chars',
  DEMO_PASSWORD: 'demo-password',
};

describe(loadGatewayConfig.name, () => {
  it('applies the documented defaults', () => {
    expect(loadGatewayConfig({ ...valid, PORT: '3001' })).toMatchObject({
      PORT: 3001,
      INSTANCE_ID: 'gateway-3001',
      DB_SCHEMA: 'gateway',
      UPSTREAM_BASE_URL: 'http://127.0.0.1:8081',
      JWT_TTL_SECONDS: 900,
      RATE_LIMIT_PER_MINUTE: 300,
      CHECKOUT_RATE_LIMIT_PER_MINUTE: 20,
      AUTH_RATE_LIMIT_PER_MINUTE: 30,
      RATE_LIMIT_WINDOW_SECONDS: 60,
      TRUSTED_PROXY_HOPS: 1,
      UPSTREAM_TIMEOUT_MS: 3_000,
      CHECKOUT_TIMEOUT_MS: 10_000,
    });
  });

  it('refuses to start without the secrets and the demo password, naming each', () => {
    const attempt = () =>
      loadGatewayConfig({
        ...valid,
        JWT_SECRET: 'short',
        INTERNAL_AUTH_SECRET: undefined,
        DEMO_PASSWORD: undefined,
        UPSTREAM_BASE_URL: 'ftp://lb',
        BREAKER_ERROR_THRESHOLD_PERCENT: '150',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/JWT_SECRET: must be at least 32 characters/);
    expect(attempt).toThrow(/INTERNAL_AUTH_SECRET: .*not set/);
    expect(attempt).toThrow(/DEMO_PASSWORD: is required/);
    expect(attempt).toThrow(/UPSTREAM_BASE_URL: must start with http:\/\/ or https:\/\//);
    expect(attempt).toThrow(/BREAKER_ERROR_THRESHOLD_PERCENT: must be ≤ 100/);
  });
});
