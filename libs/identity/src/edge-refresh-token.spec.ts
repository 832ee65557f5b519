import { edgeRefreshToken } from './edge-refresh-token';

describe(edgeRefreshToken.name, () => {
  it('is a stable HMAC of the internal secret, never the secret itself', () => {
    const secret = 'a-secret-of-at-least-thirty-two-chars!!';
    expect(edgeRefreshToken(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(edgeRefreshToken(secret)).toBe(edgeRefreshToken(secret));
    expect(edgeRefreshToken(secret)).not.toContain(secret);
    // A fixed vector: the edge config, catalog and compose's .env all use this one function.
    expect(edgeRefreshToken('0123456789abcdef0123456789abcdef')).toBe(
      'b29734c0b9380c3ac280a53ea6df6b77b6eccf1b725ae397f0938c7f327dbb2e',
    );
  });
});
