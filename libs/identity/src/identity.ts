import { createHmac, timingSafeEqual } from 'node:crypto';

// Services trust identity only from the gateway. The gateway (or, service to service, the caller)
// signs who the caller is with a secret shared inside the stack; services verify the signature and
// the age. A request that reaches a service directly, without a valid signature, has no identity.

export type Role = 'customer' | 'admin' | 'service';
export const roles: readonly Role[] = ['customer', 'admin', 'service'];

export interface Identity {
  userId: string;
  role: Role;
}

export const identityHeaders = {
  userId: 'x-user-id',
  role: 'x-user-role',
  issuedAt: 'x-identity-issued-at',
  signature: 'x-identity-signature',
} as const;

/** A signed identity is good for this long: it bounds the replay of a captured header set. */
export const IDENTITY_MAX_AGE_MS = 5 * 60_000;
export const MIN_SECRET_LENGTH = 32;

const USER_ID = /^[\w-]{1,64}$/;

const sign = (secret: string, payload: string): string =>
  createHmac('sha256', secret).update(payload).digest('base64url');

const payloadOf = (identity: Identity, issuedAt: number): string =>
  `${identity.userId}\n${identity.role}\n${issuedAt}`;

export function signIdentity(identity: Identity, secret: string, now = Date.now()): Record<string, string> {
  if (!USER_ID.test(identity.userId)) throw new Error(`invalid user id "${identity.userId}"`);
  return {
    [identityHeaders.userId]: identity.userId,
    [identityHeaders.role]: identity.role,
    [identityHeaders.issuedAt]: String(now),
    [identityHeaders.signature]: sign(secret, payloadOf(identity, now)),
  };
}

export type VerifyResult = { ok: true; identity: Identity } | { ok: false; reason: string };

type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function verifyIdentity(headers: Headers, secret: string, now = Date.now()): VerifyResult {
  const userId = header(headers, identityHeaders.userId);
  const role = header(headers, identityHeaders.role);
  const issuedAt = Number(header(headers, identityHeaders.issuedAt));
  const signature = header(headers, identityHeaders.signature);
  if (!userId || !role || !signature || !Number.isFinite(issuedAt)) {
    return { ok: false, reason: 'missing gateway identity' };
  }
  if (!USER_ID.test(userId) || !roles.includes(role as Role))
    return { ok: false, reason: 'malformed gateway identity' };
  if (Math.abs(now - issuedAt) > IDENTITY_MAX_AGE_MS)
    return { ok: false, reason: 'expired gateway identity' };
  const expected = Buffer.from(sign(secret, payloadOf({ userId, role: role as Role }, issuedAt)));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'invalid gateway identity signature' };
  }
  return { ok: true, identity: { userId, role: role as Role } };
}
