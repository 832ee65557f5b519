import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { createRedis } from '@sdp/redis';
import { startDisposableRedis, testInfraEnv, uniqueName, waitFor, type DisposableRedis } from '@sdp/testing';
import { startZooKeeperEnsemble, type ZooKeeperEnsemble } from '../test/zookeeper-ensemble';
import { LockBusyError, LockLostError, LockUnavailableError } from './errors';
import type { LockBackendName, LockEvent, LockService, LockServiceOptions } from './lock.service';
import { RedlockLockService } from './redlock.service';
import { ZooKeeperLockService, type ZooKeeperLockOptions } from './zookeeper.service';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function redlockService(urls: string[], options: LockServiceOptions = {}): RedlockLockService {
  const clients = urls.map((url, i) => createRedis({ url, name: `locks-int-${i}`, role: 'lock' }));
  return new RedlockLockService(clients, { keyPrefix: `${uniqueName('t')}:lock:`, ...options });
}

function zookeeperService(options: Partial<ZooKeeperLockOptions> = {}): ZooKeeperLockService {
  return new ZooKeeperLockService({
    connectionString: testInfraEnv().ZOOKEEPER_URL,
    keyPrefix: `${uniqueName('t')}:lock:`,
    ...options,
  });
}

const backends: { name: LockBackendName; create: (options: LockServiceOptions) => LockService }[] = [
  {
    name: 'redlock',
    create: (options) => redlockService(testInfraEnv().REDIS_LOCK_URLS.split(','), options),
  },
  { name: 'zookeeper', create: (options) => zookeeperService(options) },
];

// The same suite against both backends: what a caller of LockService may rely on, whichever is configured.
describe.each(backends)('LockService on $name (real servers)', ({ name, create }) => {
  const services: LockService[] = [];
  const make = (options: LockServiceOptions = {}) => {
    const service = create(options);
    services.push(service);
    return service;
  };

  afterAll(async () => {
    await Promise.all(services.map((s) => s.drain(1_000)));
  });

  it('answers readiness and names its backend', async () => {
    const locks = make();
    expect(locks.backend).toBe(name);
    await expect(locks.ping()).resolves.toMatch(
      name === 'redlock' ? /^3 of 3 lock nodes$/ : /^session 0x[0-9a-f]+$/,
    );
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
    // The refused contender left nothing behind: the resource is free once the holder released.
    await expect(locks.tryOnce(resource, 1_000, async () => 'free')).resolves.toEqual({
      ran: true,
      value: 'free',
    });
  });

  it('keeps the lock for a routine running 4x its TTL, and nobody else gets it', async () => {
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
    const grants = await locks.withLocks([c, a, b, a], 1_000, async (_signal, held) =>
      held.map((g) => g.resource),
    );
    expect(acquired).toEqual([a, b, c]);
    expect(grants).toEqual([a, b, c]);
  });

  it(
    name === 'zookeeper'
      ? 'issues a fencing token that grows with every grant (the lock znode zxid)'
      : 'issues no fencing token (callers take one from their database)',
    async () => {
      const locks = make({ retryCount: 0 });
      const resource = uniqueName('resource');
      const tokens: (bigint | undefined)[] = [];
      for (let i = 0; i < 3; i++)
        await locks.withLock(resource, 1_000, async (_s, [grant]) => tokens.push(grant.fencingToken));
      const other = await locks.acquire(uniqueName('other'), 1_000);
      tokens.push(other.fencingToken);
      await other.release();
      console.log(`${name} fencing tokens of 4 successive grants: ${tokens.map(String).join(', ')}`);
      if (name === 'redlock') {
        expect(tokens).toEqual([undefined, undefined, undefined, undefined]);
      } else {
        for (let i = 1; i < tokens.length; i++) expect(tokens[i]! > tokens[i - 1]!).toBe(true);
      }
    },
  );

  it('refuses new locks once draining, after letting the running routine finish', async () => {
    const locks = create({ retryCount: 0 });
    const order: string[] = [];
    const running = locks.withLock(uniqueName('resource'), 1_000, async () => {
      await sleep(150);
      order.push('routine finished');
    });
    await sleep(20);
    await locks.drain(2_000);
    order.push('drained');
    await running;
    expect(order).toEqual(['routine finished', 'drained']);
    await expect(locks.withLock(uniqueName('resource'), 1_000, async () => 'x')).rejects.toBeInstanceOf(
      LockUnavailableError,
    );
  });
});

/** A lock holder in another process (test/lock-holder.ts), to be paused with SIGSTOP. */
interface Holder {
  child: ChildProcess;
  next(event: string): Promise<Record<string, string | null>>;
  stop(): Promise<void>;
}

function startHolder(env: Record<string, string>): Holder {
  // node itself with tsx as a loader (not the tsx CLI, which runs the script in a child process):
  // the signals must reach the process that holds the lock.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve(__dirname, '../test/lock-holder.ts')],
    {
      cwd: path.resolve(__dirname, '../../..'),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: Record<string, string | null>[] = [];
  let wake: () => void = () => undefined;
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(JSON.parse(line) as Record<string, string | null>);
    wake();
  });
  return {
    child,
    async next(event) {
      for (;;) {
        const found = lines.find((l) => l.event === event || l.event === 'error');
        if (found) {
          if (found.event === 'error') throw new Error(`lock holder failed: ${found.error}`);
          return found;
        }
        if (child.exitCode !== null)
          throw new Error(`lock holder exited (${child.exitCode}) before "${event}"`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 200);
        });
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

// A holder that stops (GC pause, frozen VM) keeps running code when it wakes up. Both backends give
// the lock to someone else while it sleeps; what differs is who decides (Redlock: the TTL on the
// nodes' clocks; ZooKeeper: the server expiring the silent session) and what the holder can prove
// afterwards (ZooKeeper's fencing token orders the two holders).
describe.each(backends)('a paused holder on $name', ({ name }) => {
  let holder: Holder | undefined;
  const locks: LockService[] = [];

  afterEach(async () => {
    await holder?.stop();
    await Promise.all(locks.splice(0).map((l) => l.drain(1_000)));
  });

  it('loses the lock while stopped; the next holder gets it; the woken holder is told it lost it', async () => {
    const keyPrefix = `${uniqueName('t')}:lock:`;
    const resource = uniqueName('paused');
    holder = startHolder({
      HOLDER_BACKEND: name,
      HOLDER_KEY_PREFIX: keyPrefix,
      HOLDER_RESOURCE: resource,
      HOLDER_TTL_MS: '1000',
      HOLDER_SESSION_TIMEOUT_MS: '1000',
      ZOOKEEPER_URL: testInfraEnv().ZOOKEEPER_URL,
      REDIS_LOCK_URLS: testInfraEnv().REDIS_LOCK_URLS,
    });
    const first = await holder.next('holding');
    const other =
      name === 'redlock'
        ? redlockService(testInfraEnv().REDIS_LOCK_URLS.split(','), { keyPrefix })
        : zookeeperService({ keyPrefix });
    locks.push(other);
    await expect(other.tryOnce(resource, 1_000, async () => 'stolen')).resolves.toEqual({
      ran: false,
      reason: 'busy',
    });

    holder.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    // Polls until the lock is free: after the TTL (Redlock) or the session timeout (ZooKeeper).
    const second = await waitFor(
      async () => {
        const attempt = await other.acquire(resource, 5_000, { retry: false }).catch((e: unknown) => {
          if (e instanceof LockBusyError) return undefined;
          throw e;
        });
        return attempt;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'the lock to pass to the second holder' },
    );
    const freedAfterMs = Date.now() - stoppedAt;
    holder.child.kill('SIGCONT');
    const lost = await holder.next('lost');
    console.log(
      `${name} paused holder: lock passed ${freedAfterMs} ms after SIGSTOP; tokens first=${first.fencingToken} second=${String(second.fencingToken)}; woken holder: ${lost.reason}`,
    );
    expect(lost.reason).toMatch(/LockLostError/);
    if (name === 'zookeeper') {
      expect(BigInt(first.fencingToken!) < second.fencingToken!).toBe(true);
    } else {
      expect([first.fencingToken, second.fencingToken]).toEqual([null, undefined]);
    }
    await second.release();
  });
});

describe('ZooKeeperLockService: the session is the lock', () => {
  const services: ZooKeeperLockService[] = [];
  afterAll(async () => {
    await Promise.all(services.map((s) => s.drain(1_000)));
  });

  it('frees a crashed holder’s lock when the server expires its session, not before', async () => {
    const keyPrefix = `${uniqueName('t')}:lock:`;
    const resource = uniqueName('crash');
    const holder = startHolder({
      HOLDER_BACKEND: 'zookeeper',
      HOLDER_KEY_PREFIX: keyPrefix,
      HOLDER_RESOURCE: resource,
      HOLDER_TTL_MS: '1000',
      HOLDER_SESSION_TIMEOUT_MS: '2000',
      ZOOKEEPER_URL: testInfraEnv().ZOOKEEPER_URL,
    });
    try {
      await holder.next('holding');
      const other = zookeeperService({ keyPrefix, retryCount: 0 });
      services.push(other);
      await holder.stop(); // SIGKILL: no close, the session lingers until it expires
      const killedAt = Date.now();
      const refusedRightAfterKill = await other.tryOnce(resource, 1_000, async () => 'stolen');
      const got = await waitFor(
        async () => {
          const attempt = await other.tryOnce(resource, 1_000, async () => Date.now() - killedAt);
          return attempt.ran ? attempt.value : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 100, what: 'the crashed holder’s session to expire' },
      );
      console.log(`zookeeper: crashed holder (session timeout 2000 ms) -> lock free after ${got} ms`);
      expect(refusedRightAfterKill).toEqual({ ran: false, reason: 'busy' });
    } finally {
      await holder.stop();
    }
  });

  it('releases the locks of a closed session at once (a clean shutdown leaves nothing to expire)', async () => {
    const keyPrefix = `${uniqueName('t')}:lock:`;
    const resource = uniqueName('closed');
    const a = zookeeperService({ keyPrefix, retryCount: 0 });
    const b = zookeeperService({ keyPrefix, retryCount: 0 });
    services.push(b);
    const held = await a.acquire(resource, 1_000);
    await expect(b.tryOnce(resource, 1_000, async () => 'x')).resolves.toEqual({
      ran: false,
      reason: 'busy',
    });
    await a.drain(1_000); // closes the session without releasing the lock by hand
    await waitFor(async () => (await b.tryOnce(resource, 1_000, async () => 'free')).ran || undefined, {
      timeoutMs: 2_000,
      what: 'the closed session’s lock to go',
    });
    expect(held.signal.aborted).toBe(true);
    expect(held.signal.reason).toBeInstanceOf(LockLostError);
  });
});

describe('node loss: Redlock over 3 Redis nodes', () => {
  let nodes: DisposableRedis[] = [];
  let locks: RedlockLockService;

  beforeEach(async () => {
    nodes = await Promise.all([startDisposableRedis(), startDisposableRedis(), startDisposableRedis()]);
    locks = redlockService(
      nodes.map((n) => n.url),
      { retryCount: 5, retryDelayMs: 200 },
    );
    await waitFor(() => locks.pingQuorum().then((up) => up === 3), { what: 'three disposable lock nodes' });
  });

  afterEach(async () => {
    await locks.drain(1_000);
    await Promise.all(nodes.map((n) => n.kill()));
  });

  it('talks to three lock nodes and needs two of them', () => {
    expect([locks.nodes, locks.quorum]).toEqual([3, 2]);
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

describe('node loss: ZooKeeper ensemble of 3', () => {
  let ensemble: ZooKeeperEnsemble;
  let locks: ZooKeeperLockService;

  beforeAll(async () => {
    ensemble = await startZooKeeperEnsemble(3);
  }, 90_000);

  afterAll(async () => {
    await locks?.drain(1_000);
    await ensemble?.stop();
  });

  it('keeps locking when one of three servers dies (2 of 3 is a quorum), in a new session on a live server if need be', async () => {
    const events: LockEvent[] = [];
    locks = zookeeperService({
      connectionString: ensemble.url,
      sessionTimeoutMs: 4_000,
      retryCount: 0,
      onEvent: (e) => events.push(e),
    });
    await expect(locks.withLock(uniqueName('r'), 1_000, async () => 'before')).resolves.toBe('before');
    await ensemble.members[0].kill();
    // The session may have been on the killed server: then it is abandoned, and a new one opens on a live member.
    const after = await waitFor(
      () => locks.withLock(uniqueName('r'), 1_000, async () => 'after').catch(() => undefined),
      { timeoutMs: 20_000, intervalMs: 200, what: 'a lock with one of three servers dead' },
    );
    expect(after).toBe('after');
    console.log(
      `zookeeper, one of three servers killed: locks work; session events ${events.filter((e) => e.type === 'node-error').length}`,
    );
  }, 40_000);

  it('answers LockUnavailableError with two of three dead (no quorum), without running the routine', async () => {
    await ensemble.members[1].kill();
    let ran = false;
    const started = Date.now();
    const error = await locks
      .withLock(uniqueName('r'), 1_000, async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    console.log(`zookeeper, two of three servers down: ${String(error)} after ${Date.now() - started} ms`);
    expect(error).toBeInstanceOf(LockUnavailableError);
    expect(ran).toBe(false);
    await expect(locks.ping()).rejects.toThrow();
  }, 20_000);
});
