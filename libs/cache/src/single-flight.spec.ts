import { SingleFlight } from './single-flight';
import { jitteredTtl, shouldRefreshEarly } from './ttl';

describe(SingleFlight.name, () => {
  it('runs the work once for concurrent callers of the same key', async () => {
    const flights = new SingleFlight();
    let runs = 0;
    let release!: (v: string) => void;
    const work = () => {
      runs++;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const first = flights.run('k', work);
    const second = flights.run('k', work);
    expect([first.leader, second.leader]).toEqual([true, false]);
    release('value');
    await expect(Promise.all([first.promise, second.promise])).resolves.toEqual(['value', 'value']);
    expect(runs).toBe(1);
    expect(flights.size).toBe(0);
  });

  it('forgets a failed flight so the next caller retries', async () => {
    const flights = new SingleFlight();
    await expect(flights.run('k', () => Promise.reject(new Error('db down'))).promise).rejects.toThrow(
      'db down',
    );
    await expect(flights.run('k', () => Promise.resolve(1)).promise).resolves.toBe(1);
  });
});

describe(jitteredTtl.name, () => {
  it('spreads expiries over [ttl, ttl * 1.1]', () => {
    expect(jitteredTtl(300, 0.1, () => 0)).toBe(300);
    expect(jitteredTtl(300, 0.1, () => 0.999)).toBe(330);
    expect(jitteredTtl(0, 0.1, () => 0)).toBe(1);
  });
});

describe(shouldRefreshEarly.name, () => {
  const expiresAt = 100_000;
  it('never refreshes with beta 0, and always once expired', () => {
    expect(shouldRefreshEarly(50, expiresAt, 0, expiresAt - 1, () => 0.0001)).toBe(false);
    expect(shouldRefreshEarly(50, expiresAt, 1, expiresAt, () => 0.999)).toBe(true);
  });

  it('refreshes early more often the closer expiry is and the slower the load', () => {
    // -ln(random) is the random factor: ln(0.5) ~ -0.69, so with delta 100 ms the gap closed is ~69 ms.
    expect(shouldRefreshEarly(100, expiresAt, 1, expiresAt - 60, () => 0.5)).toBe(true);
    expect(shouldRefreshEarly(100, expiresAt, 1, expiresAt - 80, () => 0.5)).toBe(false);
    expect(shouldRefreshEarly(1_000, expiresAt, 1, expiresAt - 600, () => 0.5)).toBe(true);
    expect(shouldRefreshEarly(100, expiresAt, 2, expiresAt - 130, () => 0.5)).toBe(true);
  });
});
