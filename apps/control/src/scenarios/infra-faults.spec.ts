import type { RunnerClient, RunnerServer } from '../runner/runner-client';
import { withStoppedServers } from './infra-faults';

// The healing rule every infra fault scenario relies on: whatever the scenario does, each server it
// stopped is started again (last stopped first) before it returns, and a failure is not hidden.

/** A runner that keeps the servers' states in memory and records the calls. */
function fakeRunner(failStart: string[] = []) {
  const state = new Map<string, RunnerServer['state']>(
    ['redis-lock-2', 'redis-lock-3', 'kafka'].map((n) => [n, 'running']),
  );
  const calls: string[] = [];
  const runner = {
    servers: () => Promise.resolve([...state].map(([name, s]) => ({ name, port: 0, state: s }))),
    stopServer: (name: string) => {
      calls.push(`stop ${name}`);
      state.set(name, 'stopped');
      return Promise.resolve({ name, port: 0, state: 'stopped' as const });
    },
    startServer: (name: string) => {
      calls.push(`start ${name}`);
      if (failStart.includes(name)) return Promise.reject(new Error(`${name} would not start`));
      state.set(name, 'running');
      return Promise.resolve({ name, port: 0, state: 'running' as const });
    },
  };
  return { runner: runner as unknown as RunnerClient, calls, state };
}

describe(withStoppedServers.name, () => {
  const log = () => undefined;

  it('starts every stopped server again, last stopped first, and returns the result', async () => {
    const { runner, calls, state } = fakeRunner();
    const result = await withStoppedServers(runner, log, async (stop) => {
      await stop('redis-lock-3');
      await stop('redis-lock-2');
      return 42;
    });
    expect(result).toBe(42);
    expect(calls).toEqual([
      'stop redis-lock-3',
      'stop redis-lock-2',
      'start redis-lock-2',
      'start redis-lock-3',
    ]);
    expect([...state.values()]).toEqual(['running', 'running', 'running']);
  });

  it('heals when the scenario fails midway, and the failure still fails the run', async () => {
    const { runner, calls, state } = fakeRunner();
    await expect(
      withStoppedServers(runner, log, async (stop) => {
        await stop('kafka');
        throw new Error('checkout answered 500');
      }),
    ).rejects.toThrow('checkout answered 500');
    expect(calls).toEqual(['stop kafka', 'start kafka']);
    expect(state.get('kafka')).toBe('running');
  });

  it('fails the run, naming the server, when one does not start again', async () => {
    const { runner } = fakeRunner(['redis-lock-3']);
    await expect(
      withStoppedServers(runner, log, async (stop) => {
        await stop('redis-lock-3');
        await stop('redis-lock-2');
      }),
    ).rejects.toThrow('not healed: redis-lock-3 did not start again');
  });
});
