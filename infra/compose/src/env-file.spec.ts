import path from 'node:path';
import { composeEnv, edgeRefreshToken } from './env-file';
import { repoRoot } from './compose-file';
import { edgeRefreshToken as nativeToken } from '../../local/src/nginx/render';

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

  it('derives the edge refresh token exactly as catalog and the native stack do', () => {
    const env = parse(composeEnv());
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const catalog = require(path.join(repoRoot, 'apps/catalog/src/edge/edge-refresh.config.ts')) as {
      edgeRefreshToken: (secret: string) => string;
    };
    expect(env.EDGE_REFRESH_TOKEN).toBe(catalog.edgeRefreshToken(env.INTERNAL_AUTH_SECRET));
    expect(edgeRefreshToken('x'.repeat(32))).toBe(nativeToken('x'.repeat(32)));
  });
});
