import { sleep } from '@sdp/scheduling';

// Retry with exponential backoff: small, pure delay maths plus one loop.

export interface RetryPolicy {
  /** Retries after the first attempt (so attempts = retries + 1). */
  retries: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 3, initialDelayMs: 200, maxDelayMs: 5_000 };

/** Delay before retry number `retry` (1-based): initial, 2x, 4x ... capped at maxDelayMs. */
export const backoffDelay = (retry: number, policy: RetryPolicy): number =>
  Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, retry - 1));

/**
 * Thrown by a handler for a message that can never succeed (its data breaks the contract, it names
 * something that does not exist): retrying would only delay it, so it goes to the DLQ at once.
 */
export class NonRetryableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonRetryableError';
  }
}

export type RetryOutcome = { ok: true; attempts: number } | { ok: false; attempts: number; error: unknown };

/** Runs `fn` until it resolves or the retries are used up; `beforeRetry` runs while waiting (e.g. a heartbeat). */
export async function withRetry(
  fn: () => Promise<void>,
  policy: RetryPolicy,
  beforeRetry: () => Promise<void> = async () => {},
): Promise<RetryOutcome> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= policy.retries + 1; attempt++) {
    if (attempt > 1) {
      await sleep(backoffDelay(attempt - 1, policy));
      await beforeRetry();
    }
    try {
      await fn();
      return { ok: true, attempts: attempt };
    } catch (err) {
      lastError = err;
      if (err instanceof NonRetryableError) return { ok: false, attempts: attempt, error: err };
    }
  }
  return { ok: false, attempts: policy.retries + 1, error: lastError };
}
