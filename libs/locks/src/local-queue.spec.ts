import { LocalQueue } from './local-queue';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe(LocalQueue.name, () => {
  it('runs callers of the same resource one at a time, in arrival order', async () => {
    const queue = new LocalQueue();
    const events: string[] = [];
    const job = (name: string) =>
      queue.run(['stock:A'], async () => {
        events.push(`${name} start`);
        await tick();
        events.push(`${name} end`);
      });
    await Promise.all([job('first'), job('second'), job('third')]);
    expect(events).toEqual([
      'first start',
      'first end',
      'second start',
      'second end',
      'third start',
      'third end',
    ]);
    expect(queue.size).toBe(0);
  });

  it('lets different resources run side by side', async () => {
    const queue = new LocalQueue();
    let concurrent = 0;
    let peak = 0;
    const job = (sku: string) =>
      queue.run([sku], async () => {
        peak = Math.max(peak, ++concurrent);
        await tick();
        concurrent--;
      });
    await Promise.all([job('A'), job('B'), job('C')]);
    expect(peak).toBe(3);
  });

  it('completes overlapping multi-resource callers in opposite orders without deadlock', async () => {
    const queue = new LocalQueue();
    const jobs = Array.from({ length: 50 }, (_, i) =>
      queue.run(i % 2 ? ['A', 'B'] : ['B', 'A'], async () => {
        await tick();
        return i;
      }),
    );
    await expect(Promise.all(jobs)).resolves.toHaveLength(50);
  });

  it('releases the resource when the work throws', async () => {
    const queue = new LocalQueue();
    await expect(queue.run(['A'], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(queue.run(['A'], async () => 'next')).resolves.toBe('next');
    expect(queue.size).toBe(0);
  });
});
