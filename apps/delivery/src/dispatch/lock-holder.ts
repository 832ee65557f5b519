import type { LockService, TryOnceResult } from '@sdp/locks';
import type { DeliveryConfig } from '../config';

export const jobLock = (jobId: string): string => `delivery-job:${jobId}`;
export const courierLock = (courierId: string): string => `courier:${courierId}`;

/** Runs `fn` holding `resource` if nobody else holds it; `{ran: false}` at once otherwise. */
export type LockHolder = <T>(
  resource: string,
  fn: (signal: AbortSignal) => Promise<T>,
) => Promise<TryOnceResult<T>>;

/**
 * tryOnce on the lock service, or (DISPATCH_LOCKS=false, the experiment's control group) no lock
 * at all: then only Postgres stands between two writers of the same courier or job. The dispatcher
 * and the cancellation of a job both go through this, so they take the same locks.
 */
export function lockHolder(locks: LockService, config: DeliveryConfig): LockHolder {
  const ttl = config.LOCK_TTL_MS;
  if (config.DISPATCH_LOCKS) return (resource, fn) => locks.tryOnce(resource, ttl, fn);
  const never = new AbortController().signal;
  return async (_resource, fn) => ({ ran: true, value: await fn(never) });
}
