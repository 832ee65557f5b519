import { backoffDelay, withRetry } from './retry';

describe('retry', () => {
  const policy = { retries: 3, initialDelayMs: 1, maxDelayMs: 3 };

  it('doubles the delay up to the cap', () => {
    const p = { retries: 5, initialDelayMs: 100, maxDelayMs: 500 };
    expect([1, 2, 3, 4, 5].map((r) => backoffDelay(r, p))).toEqual([100, 200, 400, 500, 500]);
  });

  it('stops at the first success', async () => {
    let calls = 0;
    const outcome = await withRetry(() => {
      calls++;
      return calls < 2 ? Promise.reject(new Error('flaky')) : Promise.resolve();
    }, policy);
    expect(outcome).toEqual({ ok: true, attempts: 2 });
  });

  it('gives up after retries + 1 attempts with the last error', async () => {
    let calls = 0;
    let heartbeats = 0;
    const outcome = await withRetry(
      () => {
        calls++;
        return Promise.reject(new Error(`boom ${calls}`));
      },
      policy,
      () => {
        heartbeats++;
        return Promise.resolve();
      },
    );
    expect(calls).toBe(4);
    expect(heartbeats).toBe(3);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect((outcome.error as Error).message).toBe('boom 4');
  });
});

describe('NonRetryableError', () => {
  it('stops retrying at once', async () => {
    const { NonRetryableError, withRetry } = await import('./retry');
    let calls = 0;
    const outcome = await withRetry(
      async () => {
        calls++;
        throw new NonRetryableError('unknown SKU');
      },
      { retries: 5, initialDelayMs: 1, maxDelayMs: 1 },
    );
    expect(calls).toBe(1);
    expect(outcome).toMatchObject({ ok: false, attempts: 1 });
  });
});
