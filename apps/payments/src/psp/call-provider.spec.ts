import { callProvider, PROVIDER_MAX_CALLS } from './call-provider';
import { ProviderTimeoutError } from './payment-provider';

describe(callProvider.name, () => {
  const timeout = () => new ProviderTimeoutError('order-1', 50);
  const record = () => {
    const seen = { timeouts: [] as number[], gaveUpAfter: [] as number[] };
    return {
      seen,
      options: {
        onTimeout: (_: ProviderTimeoutError, call: number) => void seen.timeouts.push(call),
        onGiveUp: async (calls: number) => void seen.gaveUpAfter.push(calls),
      },
    };
  };

  it('retries timeouts and returns the answer with the number of calls made', async () => {
    const answers = [timeout(), timeout(), 'approved'];
    const { seen, options } = record();
    const request = async () => {
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next;
    };
    await expect(callProvider(request, options)).resolves.toEqual({ result: 'approved', calls: 3 });
    expect(seen).toEqual({ timeouts: [1, 2], gaveUpAfter: [] });
  });

  it(`gives up after ${PROVIDER_MAX_CALLS} timeouts: records them, then rethrows for the consumer's retry`, async () => {
    const { seen, options } = record();
    let calls = 0;
    const error = timeout();
    const request = () => {
      calls++;
      return Promise.reject(error);
    };
    await expect(callProvider(request, options)).rejects.toBe(error);
    expect(calls).toBe(PROVIDER_MAX_CALLS);
    expect(seen.gaveUpAfter).toEqual([PROVIDER_MAX_CALLS]);
  });

  it('does not retry any other error', async () => {
    const { seen, options } = record();
    let calls = 0;
    const declined = new Error('card declined');
    const request = () => {
      calls++;
      return Promise.reject(declined);
    };
    await expect(callProvider(request, options)).rejects.toBe(declined);
    expect([calls, seen.timeouts.length]).toEqual([1, 0]);
  });
});
