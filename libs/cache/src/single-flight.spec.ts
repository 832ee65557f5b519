import { SingleFlight } from './single-flight';
import { jitteredTtl } from './ttl';

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
