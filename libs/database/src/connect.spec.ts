import type { DataSource } from 'typeorm';
import { connectWhenReachable, isStartupRace, retryStartupRaces } from './connect';

const failing = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });
const quietLogger = { warn: () => undefined } as never;

/** A stand-in for TypeORM's DataSource whose initialize() fails with the given codes, then works. */
function sources(codes: string[]) {
  const created: number[] = [];
  const create = () => {
    const n = created.push(created.length);
    const code = codes[n - 1];
    return {
      initialize: () => (code ? Promise.reject(failing(code)) : Promise.resolve({ attempt: n })),
    } as unknown as DataSource;
  };
  return { create, created };
}

describe(connectWhenReachable.name, () => {
  it('retries a name not yet in DNS and a database still starting, with a fresh data source each time', async () => {
    const { create, created } = sources(['ENOTFOUND', 'EAI_AGAIN', '57P03']);
    await expect(connectWhenReachable(create, 10_000, quietLogger)).resolves.toEqual({ attempt: 4 });
    expect(created).toHaveLength(4);
  });

  it('fails at once on a refused connection or a bad password (configuration or outage)', async () => {
    for (const code of ['ECONNREFUSED', '28P01']) {
      const { create, created } = sources([code]);
      await expect(connectWhenReachable(create, 10_000, quietLogger)).rejects.toThrow(code);
      expect(created).toHaveLength(1);
    }
  });

  it('gives up on a start-up race once the time is spent', async () => {
    const { create } = sources(Array.from({ length: 100 }, () => 'ENOTFOUND'));
    await expect(connectWhenReachable(create, 300, quietLogger)).rejects.toThrow('ENOTFOUND');
  });

  it('retries any step (migrating, seeding) on a start-up race, and only on one', async () => {
    let calls = 0;
    const migrate = () =>
      ++calls < 3
        ? Promise.reject(new Error('Connection terminated due to connection timeout'))
        : Promise.resolve('migrated');
    await expect(retryStartupRaces('migrate', migrate, 10_000, quietLogger)).resolves.toBe('migrated');
    expect(calls).toBe(3);

    calls = 0;
    const broken = () => (++calls, Promise.reject(failing('42P01')));
    await expect(retryStartupRaces('migrate', broken, 10_000, quietLogger)).rejects.toThrow('42P01');
    expect(calls).toBe(1);
  });

  it("classifies by code, and pg-pool's code-less connection timeout by its message", () => {
    expect([
      isStartupRace(failing('ENOTFOUND')),
      isStartupRace(failing('ECONNREFUSED')),
      isStartupRace(new Error('Connection terminated due to connection timeout')),
      isStartupRace(new Error('Connection terminated unexpectedly')),
      isStartupRace(undefined),
    ]).toEqual([true, false, true, false, false]);
  });
});
