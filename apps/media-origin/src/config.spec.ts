import { loadMediaOriginConfig } from './config';

describe('media origin config', () => {
  it('refuses to start without an absolute bucket directory, naming the variable', () => {
    expect(() => loadMediaOriginConfig({})).toThrow(/MEDIA_BUCKET_DIR: is required/);
    expect(() => loadMediaOriginConfig({ MEDIA_BUCKET_DIR: 'relative/dir' })).toThrow(
      /MEDIA_BUCKET_DIR: must be an absolute path/,
    );
    expect(() => loadMediaOriginConfig({ MEDIA_BUCKET_DIR: '/tmp/b', CDN_LOG_UDP_PORT: '70000' })).toThrow(
      /CDN_LOG_UDP_PORT/,
    );
  });

  it('defaults to port 8090 and a 60 s alias TTL', () => {
    const config = loadMediaOriginConfig({ MEDIA_BUCKET_DIR: '/tmp/b' });
    expect(config).toMatchObject({ PORT: 8090, MEDIA_ALIAS_MAX_AGE_SECONDS: 60, INSTANCE_ID: 'media-8090' });
    expect(config.CDN_LOG_UDP_PORT).toBeUndefined();
  });
});
