import { clientIp, extendForwardedFor } from './client-ip';

describe(clientIp.name, () => {
  it('trusts exactly the hops it is told to: with one proxy (the edge), the last entry', () => {
    expect(clientIp('198.51.100.9, 203.0.113.7', '127.0.0.1', 1)).toBe('203.0.113.7');
    expect(clientIp('198.51.100.9, 203.0.113.7, 10.0.0.5', '127.0.0.1', 2)).toBe('203.0.113.7');
  });

  it('ignores what a client wrote itself further left (spoofing another address does not help)', () => {
    expect(clientIp('1.2.3.4, 203.0.113.7', '::ffff:127.0.0.1', 1)).toBe(
      clientIp('203.0.113.7', '127.0.0.1', 1),
    );
  });

  it('falls back to the socket peer without the header, with zero hops, or on garbage', () => {
    expect(clientIp(undefined, '::ffff:192.0.2.1', 1)).toBe('192.0.2.1');
    expect(clientIp('203.0.113.7', '192.0.2.1', 0)).toBe('192.0.2.1');
    expect(clientIp('not-an-ip', '192.0.2.1', 1)).toBe('192.0.2.1');
    expect(clientIp('203.0.113.7', '192.0.2.1', 3)).toBe('192.0.2.1');
  });

  it('accepts IPv6 and repeated headers', () => {
    expect(clientIp('2001:db8::1', '::1', 1)).toBe('2001:db8::1');
    expect(clientIp(['198.51.100.1', '203.0.113.7'], '::1', 1)).toBe('203.0.113.7');
  });
});

describe(extendForwardedFor.name, () => {
  it('appends the peer that sent the request to the chain it brought', () => {
    expect(extendForwardedFor('203.0.113.7', '10.0.0.2')).toBe('203.0.113.7, 10.0.0.2');
    expect(extendForwardedFor(undefined, '10.0.0.2')).toBe('10.0.0.2');
  });
});
