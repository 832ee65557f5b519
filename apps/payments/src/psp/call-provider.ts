import { backoffDelay } from '@sdp/messaging';
import { sleep } from '@sdp/scheduling';
import { ProviderTimeoutError } from './payment-provider';

/** Provider calls per delivery before we give the message back to the consumer's retry/DLQ. */
export const PROVIDER_MAX_CALLS = 5;
export const PROVIDER_BACKOFF = { retries: PROVIDER_MAX_CALLS - 1, initialDelayMs: 100, maxDelayMs: 2_000 };

export interface CallProviderOptions {
  /** Every timeout, before the retry (a metric, a log line). */
  onTimeout: (error: ProviderTimeoutError, call: number) => void;
  /** After the last timeout, before rethrowing it: record the attempts; the row stays pending. */
  onGiveUp: (calls: number) => Promise<void>;
}

/**
 * Calls the provider until it answers. Only a timeout is retried (with backoff), and always with
 * the same idempotency key inside `request`: the provider may have acted on the call that timed
 * out, and the key makes the retry return that result instead of acting twice. Any other error is
 * thrown at once. After PROVIDER_MAX_CALLS timeouts the timeout is rethrown, so the Kafka consumer
 * retries the message later, again with the same key.
 */
export async function callProvider<T>(
  request: () => Promise<T>,
  { onTimeout, onGiveUp }: CallProviderOptions,
): Promise<{ result: T; calls: number }> {
  for (let call = 1; ; call++) {
    try {
      return { result: await request(), calls: call };
    } catch (error) {
      if (!(error instanceof ProviderTimeoutError)) throw error;
      onTimeout(error, call);
      if (call >= PROVIDER_MAX_CALLS) {
        await onGiveUp(call);
        throw error;
      }
      await sleep(backoffDelay(call, PROVIDER_BACKOFF));
    }
  }
}
