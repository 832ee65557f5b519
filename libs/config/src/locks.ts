import { z } from 'zod';
import { csv, positiveInt } from './fields';

export const lockBackends = ['redlock', 'zookeeper'] as const;
export type LockBackendName = (typeof lockBackends)[number];

/** host:port[,host:port...][/chroot], ZooKeeper's own connection string. */
const ZOOKEEPER_CONNECTION = /^[\w.-]+:\d{1,5}(,[\w.-]+:\d{1,5})*(\/[\w.:/-]*)?$/;

/**
 * The lock settings a service that takes distributed locks reads (@sdp/locks, LockModule). Spread
 * into the service's schema and add `.superRefine(requireLockBackendSettings)`:
 *
 * - `LOCK_BACKEND`: `redlock` (default: three independent Redis nodes, `REDIS_LOCK_URLS`) or
 *   `zookeeper` (ephemeral sequential znodes on a ZooKeeper ensemble, `ZOOKEEPER_URL`).
 * - `REDIS_LOCK_URLS`: required with redlock. `ZOOKEEPER_URL`: required with zookeeper.
 * - `ZOOKEEPER_SESSION_TIMEOUT_MS`: how long a silent holder keeps its ZooKeeper locks (the
 *   ZooKeeper counterpart of a lock's TTL); the server clamps it to its own min and max.
 */
export const lockConfigShape = () => ({
  LOCK_BACKEND: z.enum(lockBackends, { message: 'must be redlock or zookeeper' }).default('redlock'),
  REDIS_LOCK_URLS: csv('each lock node must be a redis:// URL', (item) =>
    /^redis:\/\/\S+$/.test(item),
  ).optional(),
  ZOOKEEPER_URL: z
    .string()
    .regex(ZOOKEEPER_CONNECTION, 'must be host:port[,host:port...][/chroot], e.g. 127.0.0.1:52181')
    .optional(),
  ZOOKEEPER_SESSION_TIMEOUT_MS: positiveInt(5_000).refine(
    (ms) => ms >= 1_000 && ms <= 60_000,
    'must be from 1000 to 60000',
  ),
});

/** Names the variable the chosen LOCK_BACKEND needs but did not get. */
export function requireLockBackendSettings(
  config: { LOCK_BACKEND: LockBackendName; REDIS_LOCK_URLS?: string[]; ZOOKEEPER_URL?: string },
  ctx: z.RefinementCtx,
): void {
  if (config.LOCK_BACKEND === 'redlock' && !config.REDIS_LOCK_URLS) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_LOCK_URLS'],
      message: 'is required with LOCK_BACKEND=redlock',
    });
  }
  if (config.LOCK_BACKEND === 'zookeeper' && !config.ZOOKEEPER_URL) {
    ctx.addIssue({
      code: 'custom',
      path: ['ZOOKEEPER_URL'],
      message: 'is required with LOCK_BACKEND=zookeeper',
    });
  }
}
