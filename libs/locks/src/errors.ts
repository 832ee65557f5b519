/**
 * Fewer than a quorum (2 of 3) of the lock nodes answered: nobody can hold a lock right now.
 * Retryable: answer 503, the caller tries again once the nodes are back.
 */
export class LockUnavailableError extends Error {
  constructor(
    readonly resource: string,
    readonly reachable: number,
    readonly quorum: number,
  ) {
    super(`lock nodes unavailable: ${reachable} reachable, ${quorum} needed for "${resource}"`);
    this.name = 'LockUnavailableError';
  }
}

/** Another holder kept the resource for the whole retry window. Retryable (the holder will finish). */
export class LockBusyError extends Error {
  constructor(
    readonly resource: string,
    readonly attempts: number,
  ) {
    super(`"${resource}" is locked by another holder (gave up after ${attempts} attempts)`);
    this.name = 'LockBusyError';
  }
}

/**
 * The lock may be gone: exclusivity is no longer guaranteed. Redlock: an extension failed (the TTL
 * may have passed). ZooKeeper: the session was disconnected or expired. The AbortSignal passed to
 * the routine is aborted with this error as its reason.
 */
export class LockLostError extends Error {
  constructor(
    readonly resource: string,
    cause?: unknown,
  ) {
    super(`lock on "${resource}" was lost (${cause instanceof Error ? cause.message : 'extension failed'})`, {
      cause,
    });
    this.name = 'LockLostError';
  }
}
