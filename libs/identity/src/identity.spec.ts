import { IDENTITY_MAX_AGE_MS, identityHeaders, signIdentity, verifyIdentity } from './identity';

const secret = 'a-test-secret-that-is-long-enough-123';

describe(verifyIdentity.name, () => {
  const now = 1_800_000_000_000;
  const signed = signIdentity({ userId: 'user-7', role: 'customer' }, secret, now);

  it('accepts an identity signed with the shared secret', () => {
    expect(verifyIdentity(signed, secret, now + 1_000)).toEqual({
      ok: true,
      identity: { userId: 'user-7', role: 'customer' },
    });
  });

  it('refuses a request without the gateway headers', () => {
    expect(verifyIdentity({ [identityHeaders.userId]: 'user-7' }, secret, now)).toEqual({
      ok: false,
      reason: 'missing gateway identity',
    });
  });

  it('refuses a forged user, an escalated role, or another secret', () => {
    expect(verifyIdentity({ ...signed, [identityHeaders.userId]: 'user-8' }, secret, now).ok).toBe(false);
    expect(verifyIdentity({ ...signed, [identityHeaders.role]: 'admin' }, secret, now).ok).toBe(false);
    expect(verifyIdentity(signed, 'another-secret-that-is-long-enough-xx', now)).toMatchObject({
      reason: 'invalid gateway identity signature',
    });
  });

  it('refuses a replay older than the maximum age', () => {
    expect(verifyIdentity(signed, secret, now + IDENTITY_MAX_AGE_MS + 1)).toEqual({
      ok: false,
      reason: 'expired gateway identity',
    });
  });

  it('refuses unknown roles and unsafe user ids', () => {
    expect(verifyIdentity({ ...signed, [identityHeaders.role]: 'root' }, secret, now).ok).toBe(false);
    expect(() => signIdentity({ userId: 'bad id\n', role: 'customer' }, secret)).toThrow(/invalid user id/);
  });
});
