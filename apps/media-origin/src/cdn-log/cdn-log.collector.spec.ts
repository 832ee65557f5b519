import { parseCdnLogLine } from './cdn-log.collector';

describe(parseCdnLogLine.name, () => {
  it('reads an nginx syslog line and rejects anything else', () => {
    expect(
      parseCdnLogLine('<190>Dec  3 08:40:00 cdn_media: region=us-east cache=HIT status=200 bytes=1366'),
    ).toEqual({
      tier: 'media',
      region: 'us-east',
      cache: 'HIT',
      status: 200,
      bytes: 1366,
    });
    expect(parseCdnLogLine('region=eu cache=- status=404 bytes=90')).toMatchObject({ cache: 'NONE' });
    expect(
      parseCdnLogLine(
        '<190>Dec  3 08:40:00 cdn_api: tier=api region=ap-south cache=STALE status=200 bytes=512',
      ),
    ).toEqual({ tier: 'api', region: 'ap-south', cache: 'STALE', status: 200, bytes: 512 });
    expect(parseCdnLogLine('tier=video region=eu cache=HIT status=200 bytes=1')).toBeUndefined();
    expect(parseCdnLogLine('region=eu cache=HIT status=x bytes=1')).toBeUndefined();
    expect(parseCdnLogLine('region=EU!! cache=HIT status=200 bytes=1')).toBeUndefined();
    expect(parseCdnLogLine('hello')).toBeUndefined();
  });
});
