import { edgeRefreshToken } from '@sdp/identity';
import { composeEnv } from './env-file';

describe('pnpm compose:env', () => {
  const parse = (text: string) =>
    Object.fromEntries(
      text
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );

  it('writes every secret compose requires, long enough for the services, and fresh each time', () => {
    const env = parse(composeEnv());
    expect(env.INTERNAL_AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(env.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(env.DEMO_PASSWORD.length).toBeGreaterThanOrEqual(8);
    expect(parse(composeEnv()).INTERNAL_AUTH_SECRET).not.toBe(env.INTERNAL_AUTH_SECRET);
  });

  it('derives the edge refresh token from its INTERNAL_AUTH_SECRET (the one derivation catalog uses)', () => {
    const env = parse(composeEnv());
    expect(env.EDGE_REFRESH_TOKEN).toBe(edgeRefreshToken(env.INTERNAL_AUTH_SECRET));
  });
});
