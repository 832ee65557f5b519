import { signIdentity, type Role } from '@sdp/identity';

/** The shared internal secret tests give the services they start (a real deployment sets its own). */
export const TEST_INTERNAL_AUTH_SECRET =
  process.env.INTERNAL_AUTH_SECRET ?? 'test-internal-secret-0123456789abcdef';

/** Headers that the gateway would add for this caller. */
export const asUser = (userId: string, role: Role = 'customer'): Record<string, string> =>
  signIdentity({ userId, role }, TEST_INTERNAL_AUTH_SECRET);
