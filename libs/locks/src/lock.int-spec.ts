import { createRedis } from '@sdp/redis';
import { startDisposableRedis, testInfraEnv, uniqueName, waitFor, type DisposableRedis } from '@sdp/testing';
import { LockBusyError, LockUnavailableError } from './errors';
import { LockService, type LockEvent, type LockServiceOptions } from './lock.service';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function lockService(urls: string[], options: LockServiceOptions = {}): LockService {
  const clients = urls.map((url, i) => createRedis({ url, name: `locks-int-${i}`, role: 'lock' }));
  return new LockService(clients, { keyPrefix: `${uniqueName('t')}:lock:`, ...options });
}

describe(`${LockService.name} (real lock nodes)`, () => {
  const urls = testInfraEnv().REDIS_LOCK_URLS.split(',');
  const services: LockService[] = [];
  const make = (options: LockServiceOptions = {}) => {
    const service = lockService(urls, options);
    services.push(service);
    return service;
  };

  afterAll(async () => {
    await Promise.all(services.map((s) => s.drain(1_000)));
  });

  it('talks to three lock nodes and needs two of them', async () => {
    const locks = make();
    expect([locks.nodes, locks.quorum]).toEqual([3, 2]);
    await expect(locks.pingQuorum()).resolves.toBe(3);
  });

  it('gives mutual exclusion: critical sections on one key never interleave, across two services', async () => {
    // Two LockService instances stand for two replicas; same prefix so they contend.
    const prefix = `${uniqueName('t')}:lock:`;
    const a = make({ keyPrefix: prefix, retryDelayMs: 20, retryJitterMs: 10, retryCount: 200 });
    const b = make({ keyPrefix: prefix, retryDelayMs: 20, retryJitterMs: 10, retryCount: 200 });
    const resource = uniqueName('resource');
    const events: string[] = [];
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? a : b).withLock(resource, 1_000, async () => {
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          events.push(`enter ${i}`);
          await sleep(5);
          events.push(`exit ${i}`);
          inside -= 1;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    // Every "enter i" is immediately followed by "exit i".
    for (let k = 0; k < events.length; k += 2) {
      expect(events[k].replace('enter', 'exit')).toBe(events[k + 1]);
    }
    expect(events).toHaveLength(24);
  });

  it('releases in finally: the next holder gets the lock at once after a routine throws', async () => {
    const locks = make({ retryCount: 0 });
    const resource = uniqueName('resource');
    await expect(
      locks.withLock(resource, 5_000, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(locks.withLock(resource, 5_000, async () => 'second')).resolves.toBe('second');
  });

  it('answers LockBusyError after the retry window while another holder keeps the resource', async () => {
    const events: LockEvent[] = [];
    const locks = make({ retryCount: 2, retryDelayMs: 20, retryJitterMs: 0, onEvent: (e) => events.push(e) });
    const resource = uniqueName('resource');
    const held = await locks.acquire(resource, 5_000);
    try {
      const error = await locks.withLock(resource, 1_000, async () => 'never').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockBusyError);
      expect((error as LockBusyError).attempts).toBe(3);
      expect(events).toContainEqual(expect.objectContaining({ type: 'failed', reason: 'busy', attempts: 3 }));
    } finally {
      await held.release();
    }
  });

  it('lets a holder that does not extend lose the lock after its TTL', async () => {
    const locks = make({ retryCount: 0 });
    const resource = uniqueName('resource');
    const order: string[] = [];
    const a = await locks.acquire(resource, 300);
    order.push('A acquired');
    await expect(locks.acquire(resource, 300)).rejects.toBeInstanceOf(LockBusyError);
    order.push('B refused while A holds');
    await sleep(400); // A "pauses" past its TTL without extending
    const b = await locks.acquire(resource, 1_000);
    order.push('B acquired after A expired');
    expect(Date.now()).toBeGreaterThan(a.expiresAt);
    await b.release();
    await a.release(); // A's late release must not remove anything that is not its own
    expect(order).toEqual(['A acquired', 'B refused while A holds', 'B acquired after A expired']);
  });

  it('extends automatically: a routine running 4x its TTL keeps the lock, and nobody else gets it', async () => {
    const locks = make({ retryCount: 0 });
    const resource = uniqueName('resource');
    const intruders: string[] = [];
    const result = await locks.withLock(resource, 300, async (signal) => {
      for (let i = 0; i < 6; i++) {
        await sleep(200);
        const attempt = await locks.tryOnce(resource, 300, async () => 'stolen');
        intruders.push(attempt.ran ? 'got it' : attempt.reason);
      }
      return signal.aborted ? 'lost' : 'kept';
    });
    expect(result).toBe('kept');
    expect(intruders).toEqual(Array(6).fill('busy'));
  });

  it('tryOnce runs the job in exactly one of several contenders (distributed cron)', async () => {
    const prefix = `${uniqueName('t')}:lock:`;
    const replicas = [make({ keyPrefix: prefix }), make({ keyPrefix: prefix }), make({ keyPrefix: prefix })];
    const results = await Promise.all(
      replicas.map((locks, i) =>
        locks.tryOnce('cron:job', 1_000, async () => {
          await sleep(100);
          return `replica ${i}`;
        }),
      ),
    );
    expect(results.filter((r) => r.ran)).toHaveLength(1);
    expect(results.filter((r) => !r.ran)).toEqual([
      { ran: false, reason: 'busy' },
      { ran: false, reason: 'busy' },
    ]);
  });

  it('takes several resources in sorted order, whatever the order asked', async () => {
    const acquired: string[] = [];
    const locks = make({ onEvent: (e) => e.type === 'acquired' && acquired.push(e.resource) });
    const [a, b, c] = ['a', 'b', 'c'].map((s) => `${uniqueName('r')}-${s}`).sort();
    await locks.withLocks([c, a, b, a], 1_000, async () => undefined);
    expect(acquired).toEqual([a, b, c]);
  });
});

describe(`${LockService.name} with lock nodes failing`, () => {
  let nodes: DisposableRedis[] = [];
  let locks: LockService;

  beforeEach(async () => {
    nodes = await Promise.all([startDisposableRedis(), startDisposableRedis(), startDisposableRedis()]);
    locks = lockService(
      nodes.map((n) => n.url),
      { retryCount: 5, retryDelayMs: 200 },
    );
    await waitFor(() => locks.pingQuorum().then((up) => up === 3), { what: 'three disposable lock nodes' });
  });

  afterEach(async () => {
    await locks.drain(1_000);
    await Promise.all(nodes.map((n) => n.kill()));
  });

  it('still locks with one of three nodes killed (2 of 3 is a quorum)', async () => {
    await nodes[0].kill();
    await expect(locks.withLock(uniqueName('r'), 1_000, async () => 'done')).resolves.toBe('done');
    await expect(locks.pingQuorum()).resolves.toBe(2);
  });

  it('fails fast with LockUnavailableError when two of three are killed, without running the routine', async () => {
    await nodes[0].kill();
    await nodes[1].kill();
    let ran = false;
    const started = Date.now();
    const error = await locks
      .withLock(uniqueName('r'), 1_000, async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    console.log(`two of three lock nodes down: ${String(error)} after ${elapsed} ms`);
    expect(error).toBeInstanceOf(LockUnavailableError);
    expect((error as LockUnavailableError).reachable).toBe(1);
    expect(ran).toBe(false);
    // No walk through the contention retry window (5 x 200 ms): one attempt, then out.
    expect(elapsed).toBeLessThan(500);
    await expect(locks.pingQuorum()).rejects.toThrow(/1 of 3 lock nodes answer, 2 needed/);
  });
});
