import { signIdentity } from '@sdp/identity';
import { downstreamResponseHeaders, sharedCacheable, upstreamRequestHeaders } from './forward-headers';

describe(upstreamRequestHeaders.name, () => {
  const incoming = {
    'content-type': 'application/json',
    'idempotency-key': 'k-1',
    'last-event-id': '42',
    authorization: 'Bearer secret-jwt',
    cookie: 'session=1',
    'x-user-id': 'forged',
    'x-user-role': 'admin',
    'x-identity-issued-at': '1',
    'x-identity-signature': 'forged',
    'x-request-id': 'client-chosen',
    host: 'edge.example',
  };
  const context = { requestId: 'req-1', clientIp: '203.0.113.7', forwardedFor: '203.0.113.7, 10.0.0.2' };

  it('strips client identity headers, credentials and hop headers; keeps what services need', () => {
    expect(upstreamRequestHeaders(incoming, context)).toEqual({
      'content-type': 'application/json',
      'idempotency-key': 'k-1',
      'last-event-id': '42',
      'x-request-id': 'req-1',
      'x-forwarded-for': '203.0.113.7, 10.0.0.2',
    });
  });

  it('adds the identity the gateway signed, never the one the client sent', () => {
    const identity = signIdentity({ userId: 'user-1', role: 'customer' }, 'x'.repeat(32));
    const headers = upstreamRequestHeaders(incoming, { ...context, identity });
    expect(headers['x-user-id']).toBe('user-1');
    expect(headers['x-user-role']).toBe('customer');
    expect(headers['x-identity-signature']).toBe(identity['x-identity-signature']);
  });
});

describe(downstreamResponseHeaders.name, () => {
  const upstream = {
    'content-type': 'application/json',
    'cache-control': 'public, s-maxage=30',
    'x-cache': 'HIT',
    'x-instance-id': 'catalog-2',
    'x-lb-upstream': '127.0.0.1:3101',
    'idempotent-replayed': 'true',
    'retry-after': '3',
    'set-cookie': 'tracking=1',
    connection: 'keep-alive',
    'transfer-encoding': 'chunked',
    'x-powered-by': 'Express',
  };

  it('keeps the caching and tracing headers of a public answer and drops the rest', () => {
    expect(downstreamResponseHeaders(upstream, false)).toEqual({
      'content-type': 'application/json',
      'cache-control': 'public, s-maxage=30',
      'x-cache': 'HIT',
      'x-instance-id': 'catalog-2',
      'x-lb-upstream': '127.0.0.1:3101',
      'idempotent-replayed': 'true',
      'retry-after': '3',
    });
  });

  it('makes an answer for a signed-in caller private and uncacheable, whatever the service said', () => {
    expect(downstreamResponseHeaders(upstream, true)['cache-control']).toBe('private, no-store');
    expect(downstreamResponseHeaders({}, true)['cache-control']).toBe('private, no-store');
  });
});

describe(sharedCacheable.name, () => {
  it.each([
    ['public, max-age=0, s-maxage=30', true],
    ['s-maxage=60', true],
    ['PUBLIC, max-age=300', true],
    [['public', 'max-age=5'], true],
    ['private, no-store', false],
    ['public, no-store', false],
    ['max-age=60', false],
    ['no-cache', false],
    [undefined, false],
  ] as const)('%j → %s', (cacheControl, expected) => {
    expect(sharedCacheable(cacheControl as string | string[] | undefined)).toBe(expected);
  });
});
