import { ConfigError } from '@sdp/config';
import { loadNotificationsConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://sdp:pw@127.0.0.1:55432/sdp',
  KAFKA_BROKERS: '127.0.0.1:59092',
  REDIS_CACHE_URL: 'redis://127.0.0.1:56379',
  INTERNAL_AUTH_SECRET: 'x'.repeat(32),
};

describe(loadNotificationsConfig.name, () => {
  it('applies defaults', () => {
    expect(loadNotificationsConfig(valid)).toMatchObject({
      PORT: 3500,
      INSTANCE_ID: 'notifications-3500',
      DB_SCHEMA: 'notifications',
      SSE_HEARTBEAT_MS: 15_000,
    });
  });

  it('refuses a missing cache node, a bad heartbeat and a short secret, naming each', () => {
    const attempt = () =>
      loadNotificationsConfig({
        ...valid,
        REDIS_CACHE_URL: undefined,
        SSE_HEARTBEAT_MS: '0',
        INTERNAL_AUTH_SECRET: 'short',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/REDIS_CACHE_URL: .*not set/);
    expect(attempt).toThrow(/SSE_HEARTBEAT_MS: must be > 0/);
    expect(attempt).toThrow(/INTERNAL_AUTH_SECRET: must be at least 32 characters/);
  });
});
