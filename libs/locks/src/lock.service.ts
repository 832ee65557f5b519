// The backend-neutral lock interface. Services inject `LockService` and never name a backend:
// LockModule.forRoot picks Redlock (default) or ZooKeeper from configuration (LOCK_BACKEND).
//
// Both backends keep the habits of novu's LockService: the lock is always released in `finally`,
// problems are reported as events (metrics, logs), and `drain()` lets held locks finish on shutdown.
// What is shared lives here: ordered multi-lock, tryOnce for distributed cron, the contention retry
// window, draining. What differs (how a lock is taken, kept and lost) lives in redlock.service.ts
// and zookeeper.service.ts; docs/distributed-locks.md compares the two.
import { LockBusyError, LockUnavailableError } from './errors';
import { DEFAULT_LOCK_PREFIX, lockKey, lockOrder } from './keys';

export type LockBackendName = 'redlock' | 'zookeeper';

export type LockEvent =
  | { type: 'acquired'; resource: string; waitMs: number; attempts: number }
  | { type: 'failed'; resource: string; reason: 'busy' | 'unavailable'; waitMs: number; attempts: number }
  | { type: 'lost'; resource: string }
  | { type: 'release-failed'; resource: string; error: unknown }
  /** A lock node or the ZooKeeper session had trouble (down, timeout, disconnected, expired). */
  | { type: 'node-error'; error: Error };

export interface LockServiceOptions {
  /** Prepended to every resource: `lock:` by default. */
  keyPrefix?: string;
  /** Attempts after the first while another holder has the resource (contention only). */
  retryCount?: number;
  retryDelayMs?: number;
  retryJitterMs?: number;
  /** Redlock only: clock drift allowance, as a fraction of the TTL (Redlock's driftFactor). */
  driftFactor?: number;
  /** Redlock only: extend the lock when it has less than this left (capped at half the TTL). */
  extensionThresholdMs?: number;
  onEvent?: (event: LockEvent) => void;
}

/**
 * What a routine learns about a lock it holds. `fencingToken` is a number that grows with every
 * grant of any lock, issued by the lock service itself where it can (ZooKeeper: the lock znode's
 * creation zxid); undefined where it cannot (Redlock), so a caller that needs one takes it from its
 * database (inventory: `nextval('fence_seq')`).
 */
export interface LockGrant {
  resource: string;
  fencingToken: bigint | undefined;
}

/**
 * The work done under a lock. `signal` is aborted with a LockLostError when exclusivity is gone
 * (Redlock: an extension failed; ZooKeeper: the session was disconnected or expired): stop writing.
 * `grants` has one entry per resource, in lock order.
 */
export type LockRoutine<T> = (signal: AbortSignal, grants: readonly LockGrant[]) => Promise<T>;

export type TryOnceResult<T> = { ran: true; value: T } | { ran: false; reason: 'busy' | 'unavailable' };

/** A lock taken with `acquire()`: not extended automatically. */
export interface HeldLock {
  resource: string;
  /**
   * Epoch ms after which the lock must be assumed gone. Redlock: the TTL minus drift. ZooKeeper:
   * Infinity while the session lives (the lock has no TTL of its own), the moment it was lost after.
   */
  readonly expiresAt: number;
  readonly fencingToken: bigint | undefined;
  /** Aborted (LockLostError) once the lock is known to be gone: expired, or its session lost. */
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

export const MIN_TTL_MS = 200;

/** One held lock inside a routine: what `runHeld` hands its callback. */
export type HeldRoutine<T> = (signal: AbortSignal, grant: LockGrant) => Promise<T>;

export abstract class LockService {
  abstract readonly backend: LockBackendName;
  protected readonly prefix: string;
  protected readonly settings: { retryCount: number; retryDelayMs: number; retryJitterMs: number };
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  protected constructor(protected readonly options: LockServiceOptions = {}) {
    this.prefix = options.keyPrefix ?? DEFAULT_LOCK_PREFIX;
    this.settings = {
      retryCount: options.retryCount ?? 20,
      retryDelayMs: options.retryDelayMs ?? 100,
      retryJitterMs: options.retryJitterMs ?? 50,
    };
  }

  /**
   * Runs `fn` while holding `resource`, and always releases the lock when `fn` settles. Redlock
   * extends the lock (TTL `ttlMs`) while `fn` runs; ZooKeeper keeps it while the session lives
   * (`ttlMs` is checked but the session timeout plays its part). If the lock is lost, `fn`'s
   * signal is aborted with a LockLostError.
   */
  withLock<T>(resource: string, ttlMs: number, fn: LockRoutine<T>): Promise<T> {
    return this.track(
      this.run(resource, ttlMs, this.settings.retryCount, (signal, grant) => fn(signal, [grant])),
    );
  }

  /**
   * Holds every resource (one lock each) while `fn` runs. Resources are deduplicated and taken in
   * sorted order, nested: lock 1, then inside it lock 2, and so on. Deadlock needs a cycle in the
   * wait-for graph (X holds A and waits for B while Y holds B and waits for A). With one global
   * order a holder only ever waits for a resource that sorts after everything it holds, so every
   * wait edge points "up" the order and a cycle is impossible. (Contention still ends in
   * LockBusyError after the retry window rather than waiting forever.)
   */
  withLocks<T>(resources: readonly string[], ttlMs: number, fn: LockRoutine<T>): Promise<T> {
    const ordered = lockOrder(resources);
    if (ordered.length === 0) throw new Error('withLocks needs at least one resource');
    const step = (index: number, signals: AbortSignal[], grants: LockGrant[]): Promise<T> =>
      index === ordered.length
        ? fn(signals.length === 1 ? signals[0] : AbortSignal.any(signals), grants)
        : this.run(ordered[index], ttlMs, this.settings.retryCount, (signal, grant) =>
            step(index + 1, [...signals, signal], [...grants, grant]),
          );
    return this.track(step(0, [], []));
  }

  /**
   * For distributed cron: one attempt, no retries. Runs `fn` only if nobody else holds the
   * resource; otherwise returns `{ran: false}` at once.
   */
  async tryOnce<T>(resource: string, ttlMs: number, fn: LockRoutine<T>): Promise<TryOnceResult<T>> {
    try {
      return {
        ran: true,
        value: await this.track(this.run(resource, ttlMs, 0, (signal, grant) => fn(signal, [grant]))),
      };
    } catch (error) {
      if (error instanceof LockBusyError) return { ran: false, reason: 'busy' };
      if (error instanceof LockUnavailableError) return { ran: false, reason: 'unavailable' };
      throw error;
    }
  }

  /**
   * Takes a lock without automatic extension. Redlock: it expires after `ttlMs` unless released.
   * ZooKeeper: it lasts until released or the session ends. For tests and demonstrations; production
   * code wants withLock.
   */
  abstract acquire(resource: string, ttlMs: number, options?: { retry?: boolean }): Promise<HeldLock>;

  /** Readiness: resolves with a short description while locks can be taken, throws otherwise. */
  abstract ping(): Promise<string>;

  /** Refuses new locks, waits (bounded) for routines holding locks to finish, then closes the clients. */
  async drain(timeoutMs = 5_000): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    await this.closeClients();
  }

  /** Takes one lock (retrying on contention up to `retries` times), runs `fn`, releases. */
  protected abstract runHeld<T>(
    key: string,
    resource: string,
    ttlMs: number,
    retries: number,
    fn: HeldRoutine<T>,
  ): Promise<T>;

  protected abstract closeClients(): Promise<void> | void;

  /** The pause before the next attempt on contention: the retry delay with jitter. */
  protected retryPause(): number {
    const { retryDelayMs, retryJitterMs } = this.settings;
    return Math.max(0, retryDelayMs + Math.round((Math.random() * 2 - 1) * retryJitterMs));
  }

  protected assertOpen(): void {
    if (this.closed) throw new LockUnavailableError('(service draining)', 0, 1);
  }

  protected key(resource: string): string {
    return lockKey(this.prefix, resource);
  }

  protected emit(event: LockEvent): void {
    this.options.onEvent?.(event);
  }

  private async run<T>(resource: string, ttlMs: number, retries: number, fn: HeldRoutine<T>): Promise<T> {
    this.assertOpen();
    if (!Number.isInteger(ttlMs) || ttlMs < MIN_TTL_MS) {
      throw new Error(`lock TTL must be an integer of at least ${MIN_TTL_MS} ms, got ${ttlMs}`);
    }
    return await this.runHeld(this.key(resource), resource, ttlMs, retries, fn);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.then(
      () => this.inFlight.delete(promise),
      () => this.inFlight.delete(promise),
    );
    return promise;
  }
}
