export interface SleepOptions {
  /** Ends the sleep early (resolving, not rejecting: the caller checks the signal). */
  signal?: AbortSignal;
  /** Do not keep the process alive for this timer (background jobs). */
  unref?: boolean;
}

/**
 * The one sleep of the codebase. Built on the global setTimeout rather than node:timers/promises
 * so that Jest's fake timers drive it in unit tests.
 */
export function sleep(ms: number, options: SleepOptions = {}): Promise<void> {
  const { signal, unref = false } = options;
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (unref) timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
