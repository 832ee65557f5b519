import { sleep } from './sleep';
import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  it('runs after the first delay, then again after each pause', async () => {
    const runs: number[] = [];
    const task = new PeriodicTask({
      run: async () => void runs.push(Date.now()),
      intervalMs: 20,
      firstRunAfterMs: 0,
      onError: (error) => {
        throw error;
      },
    });
    task.start();
    await sleep(110);
    await task.stop();
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < runs.length; i++) expect(runs[i] - runs[i - 1]).toBeGreaterThanOrEqual(18);
  });

  it('never overlaps runs, and stop() waits for the run in flight', async () => {
    let active = 0;
    let maxActive = 0;
    let finished = 0;
    const task = new PeriodicTask({
      run: async () => {
        maxActive = Math.max(maxActive, ++active);
        await sleep(30);
        active--;
        finished++;
      },
      intervalMs: 1,
      firstRunAfterMs: 0,
      onError: () => undefined,
    });
    task.start();
    await sleep(10); // mid-run
    await task.stop();
    expect(active).toBe(0);
    expect(finished).toBe(1);
    expect(maxActive).toBe(1);
  });

  it('reports a failed run and keeps going', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const task = new PeriodicTask({
      run: async () => {
        if (++calls === 1) throw new Error('first run fails');
      },
      intervalMs: 5,
      firstRunAfterMs: 0,
      onError: (error) => errors.push(error),
    });
    task.start();
    await sleep(50);
    await task.stop();
    expect(errors).toHaveLength(1);
    expect(calls).toBeGreaterThan(1);
  });

  it('stopped before its first run, it never runs', async () => {
    const run = jest.fn(async () => undefined);
    const task = new PeriodicTask({ run, intervalMs: 1_000, onError: () => undefined });
    task.start();
    await task.stop();
    expect(run).not.toHaveBeenCalled();
  });
});

describe('sleep', () => {
  it('resolves after the time, and at once when its signal aborts', async () => {
    const started = Date.now();
    await sleep(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(18);

    const abort = new AbortController();
    const slept = sleep(10_000, { signal: abort.signal });
    abort.abort();
    await slept; // would time the test out if the abort did not end it
  });

  it('is driven by fake timers', async () => {
    jest.useFakeTimers();
    try {
      let woke = false;
      void sleep(500).then(() => (woke = true));
      await jest.advanceTimersByTimeAsync(499);
      expect(woke).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(woke).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
