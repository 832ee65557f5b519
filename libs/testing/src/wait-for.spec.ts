import { uniqueName } from './names';
import { waitFor } from './wait-for';

describe(waitFor.name, () => {
  it('resolves with the first truthy value the probe returns', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? 'ready' : false), { intervalMs: 1 })).resolves.toBe('ready');
    expect(calls).toBe(3);
  });

  it('times out naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 30, intervalMs: 5, what: 'the broker' },
      ),
    ).rejects.toThrow(/waiting for the broker: connection refused/);
  });
});

describe(uniqueName.name, () => {
  it('gives a distinct lowercase SQL-safe name each call', () => {
    const a = uniqueName('T_Catalog');
    expect(a).toMatch(/^t_catalog_[0-9a-f]{8}$/);
    expect(uniqueName('x')).not.toBe(uniqueName('x'));
  });
});
