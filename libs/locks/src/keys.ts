/** Lock keys live under their own prefix so they can never collide with a data key. */
export const DEFAULT_LOCK_PREFIX = 'lock:';

const RESOURCE = /^[\w:.-]{1,200}$/;

export function lockKey(prefix: string, resource: string): string {
  if (!RESOURCE.test(resource)) {
    throw new Error(`invalid lock resource "${resource}": use letters, digits, ":", ".", "_" or "-"`);
  }
  return `${prefix}${resource}`;
}

/**
 * The order in which several resources are locked: distinct, then sorted by plain code-unit order
 * (not locale order, which could differ between machines). Every caller locking {A, B} takes A
 * first, so no two callers can each hold one of them while waiting for the other.
 */
export function lockOrder(resources: readonly string[]): string[] {
  return [...new Set(resources)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
