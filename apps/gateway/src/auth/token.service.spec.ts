import type { GatewayConfig } from '../config';
import { TokenService } from './token.service';

const config = (secret: string) => ({ JWT_SECRET: secret, JWT_TTL_SECONDS: 900 }) as GatewayConfig;

describe(TokenService.name, () => {
  const tokens = new TokenService(config('a-jwt-secret-that-is-at-least-32-chars'));
  const claims = {
    userId: '4876b748-568a-4791-aaab-df704acee075',
    role: 'admin' as const,
    email: 'admin@example.com',
  };

  it('issues a token it verifies back into the same claims', async () => {
    await expect(tokens.verify(await tokens.issue(claims))).resolves.toEqual({ ok: true, claims });
  });

  it('refuses an expired token, saying so', async () => {
    const old = await tokens.issue(claims, Date.now() - 901_000);
    await expect(tokens.verify(old)).resolves.toEqual({
      ok: false,
      reason: 'access token expired; log in again',
    });
  });

  it('refuses a token signed with another secret, an unsigned one, and garbage', async () => {
    const other = new TokenService(config('another-jwt-secret-at-least-32-chars!'));
    const [, payload] = (await tokens.issue(claims)).split('.');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    for (const token of [await other.issue(claims), unsigned, 'garbage']) {
      await expect(tokens.verify(token)).resolves.toEqual({ ok: false, reason: 'invalid access token' });
    }
  });
});
