import { ConfigError } from '@sdp/config';
import { loadControlConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://sdp:pw@127.0.0.1:55432/sdp',
  KAFKA_BROKERS: '127.0.0.1:59092',
  REDIS_CACHE_URL: 'redis://127.0.0.1:56379',
  REDIS_LOCK_URLS: 'redis://127.0.0.1:56380,redis://127.0.0.1:56381,redis://127.0.0.1:56382',
  INTERNAL_AUTH_SECRET: 'x'.repeat(32),
  LB_URL: 'http://127.0.0.1:8081',
  EDGE_URL: 'http://127.0.0.1:8080',
};

describe(loadControlConfig.name, () => {
  it('applies defaults and runs without a runner channel (compose)', () => {
    const config = loadControlConfig(valid);
    expect(config).toMatchObject({ PORT: 3800, DB_SCHEMA: 'control', SCRAPE_INTERVAL_MS: 1_000 });
    expect(config.RUNNER_URL).toBeUndefined();
    expect(config.REDIS_LOCK_URLS).toHaveLength(3);
  });

  it('needs the runner secret with the runner URL, and names every bad variable', () => {
    const attempt = () =>
      loadControlConfig({
        ...valid,
        RUNNER_URL: 'http://127.0.0.1:8079',
        LB_URL: 'lb',
        REDIS_LOCK_URLS: 'x',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/RUNNER_SECRET: is required when RUNNER_URL is set/);
    expect(attempt).toThrow(/LB_URL: must be a URL/);
    expect(attempt).toThrow(/REDIS_LOCK_URLS: each lock node must be a redis:\/\/ URL/);
  });

  it('takes the CDN as one edge per topology region plus the shield and the media origin', () => {
    const cdnEnv = {
      ...valid,
      CDN_EDGE_URLS: 'http://127.0.0.1:8080,http://127.0.0.1:8092,http://127.0.0.1:8093',
      CDN_SHIELD_URL: 'http://127.0.0.1:8091',
      MEDIA_ORIGIN_URL: 'http://127.0.0.1:8090',
    };
    expect(loadControlConfig(cdnEnv).CDN_EDGE_URLS).toHaveLength(3);
    const attempt = () =>
      loadControlConfig({ ...cdnEnv, CDN_EDGE_URLS: 'http://127.0.0.1:8080', MEDIA_ORIGIN_URL: undefined });
    expect(attempt).toThrow(
      /CDN_EDGE_URLS: must list one edge per region of the topology \(eu-west, us-east, ap-south\)/,
    );
    expect(attempt).toThrow(/MEDIA_ORIGIN_URL: is required when CDN_EDGE_URLS is set/);
  });
});
