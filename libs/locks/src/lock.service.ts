// Redlock over independent Redis nodes, with the habits of novu's LockService: always release in
// `finally`, listen to the Redlock `error` event, drain on shutdown.
//
// Library choice: @sesamecare-oss/redlock 1.4.0 (maintained fork of node-redlock, ioredis 5+). Its
// successor `redlock-universal` requires Node >= 22, so it cannot run on this project's Node 20.
// Neither issues fencing tokens: callers that write through the lock take one from their database
// (see apps/inventory, `nextval('fence_seq')`).
import { ExecutionError, Redlock, ResourceLockedError, type Lock } from '@sesamecare-oss/redlock';
import type { Redis } from 'ioredis';
import { LockBusyError, LockLostError, LockUnavailableError } from './errors';
import { DEFAULT_LOCK_PREFIX, lockKey, lockOrder } from './keys';
import { sleep } from '@sdp/scheduling';

export type LockEvent =
  | { type: 'acquired'; resource: string; waitMs: number; attempts: number }
  | { type: 'failed'; resource: string; reason: 'busy' | 'unavailable'; waitMs: number; attempts: number }
  | { type: 'lost'; resource: string }
  | { type: 'release-failed'; resource: string; error: unknown }
  /** A single node voted against for a reason other than "already locked" (down, timeout). */
  | { type: 'node-error'; error: Error };

export interface LockServiceOptions {
  /** Prepended to every resource: `lock:` by default. */
  keyPrefix?: string;
  /** Attempts after the first while another holder has the resource (contention only). */
  retryCount?: number;
  retryDelayMs?: number;
  retryJitterMs?: number;
  /** Clock drift allowance, as a fraction of the TTL (Redlock's driftFactor). */
  driftFactor?: number;
  /** Extend the lock when it has less than this left (capped at half the TTL). */
  extensionThresholdMs?: number;
  onEvent?: (event: LockEvent) => void;
}

export type LockRoutine<T> = (signal: AbortSignal) => Promise<T>;

export type TryOnceResult<T> = { ran: true; value: T } | { ran: false; reason: 'busy' | 'unavailable' };

/** A lock taken with `acquire()`: not extended automatically. */
export interface HeldLock {
  resource: string;
  /** Epoch ms after which the lock must be assumed gone (TTL minus drift). */
  readonly expiresAt: number;
  release(): Promise<void>;
}

export const MIN_TTL_MS = 200;

function firstConnection(client: Redis): Promise<void> {
  if (client.status !== 'wait' && client.status !== 'connecting' && client.status !== 'connect') {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done).off('close', done);
      resolve();
    };
    const timer = setTimeout(done, 3_000);
    timer.unref();
    client.once('ready', done).once('close', done);
  });
}

export class LockService {
  private readonly redlock: Redlock;
  private readonly prefix: string;
  private readonly settings: Required<Omit<LockServiceOptions, 'keyPrefix' | 'onEvent'>>;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Settles once every client has either connected or failed its first connection attempt. */
  private readonly firstConnections: Promise<unknown>;
  private closed = false;

  constructor(
    private readonly clients: readonly Redis[],
    private readonly options: LockServiceOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? DEFAULT_LOCK_PREFIX;
    this.settings = {
      retryCount: options.retryCount ?? 20,
      retryDelayMs: options.retryDelayMs ?? 100,
      retryJitterMs: options.retryJitterMs ?? 50,
      driftFactor: options.driftFactor ?? 0.01,
      extensionThresholdMs: options.extensionThresholdMs ?? 500,
    };
    // The library's own retries are off: we retry only on contention, so that a lost quorum fails
    // fast instead of spinning through the whole retry window.
    this.redlock = new Redlock(clients, {
      driftFactor: this.settings.driftFactor,
      retryCount: 0,
      retryDelay: this.settings.retryDelayMs,
      retryJitter: this.settings.retryJitterMs,
    });
    // Clients fail fast while disconnected (no offline queue), so the first lock right after boot
    // would count nodes that are still connecting as down: wait for their first attempt once.
    this.firstConnections = Promise.all(clients.map(firstConnection));
    this.redlock.on('error', (error: Error) => {
      // "Already locked" votes are normal contention, not a node problem.
      if (!(error instanceof ResourceLockedError)) this.emit({ type: 'node-error', error });
    });
  }

  get nodes(): number {
    return this.clients.length;
  }

  get quorum(): number {
    return Math.floor(this.clients.length / 2) + 1;
  }

  /**
   * Runs `fn` while holding `resource`. The lock is extended automatically while `fn` runs; if an
   * extension fails the signal is aborted with a LockLostError (stop writing: exclusivity is gone).
   * The lock is always released when `fn` settles.
   */
  withLock<T>(resource: string, ttlMs: number, fn: LockRoutine<T>): Promise<T> {
    return this.track(this.run(resource, ttlMs, fn, this.settings.retryCount));
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
    const step = (index: number, signals: AbortSignal[]): Promise<T> =>
      index === ordered.length
        ? fn(signals.length === 1 ? signals[0] : AbortSignal.any(signals))
        : this.run(
            ordered[index],
            ttlMs,
            (signal) => step(index + 1, [...signals, signal]),
            this.settings.retryCount,
          );
    return this.track(step(0, []));
  }

  /**
   * For distributed cron: one attempt, no retries. Runs `fn` only if nobody else holds the
   * resource; otherwise returns `{ran: false}` at once.
   */
  async tryOnce<T>(resource: string, ttlMs: number, fn: LockRoutine<T>): Promise<TryOnceResult<T>> {
    try {
      return { ran: true, value: await this.track(this.run(resource, ttlMs, fn, 0)) };
    } catch (error) {
      if (error instanceof LockBusyError) return { ran: false, reason: 'busy' };
      if (error instanceof LockUnavailableError) return { ran: false, reason: 'unavailable' };
      throw error;
    }
  }

  /**
   * Takes a lock without automatic extension: it expires after `ttlMs` unless released. For tests
   * and demonstrations of expiry; production code wants withLock.
   */
  async acquire(resource: string, ttlMs: number, { retry = true } = {}): Promise<HeldLock> {
    this.assertOpen();
    await this.firstConnections;
    const key = lockKey(this.prefix, resource);
    const started = Date.now();
    const retries = retry ? this.settings.retryCount : 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const lock: Lock = await this.redlock.acquire([key], ttlMs, { retryCount: 0 });
        this.emit({ type: 'acquired', resource, waitMs: Date.now() - started, attempts: attempt });
        return {
          resource,
          get expiresAt() {
            return lock.expiration;
          },
          release: async () => {
            await lock
              .release()
              .catch((error: unknown) => this.emit({ type: 'release-failed', resource, error }));
          },
        };
      } catch (error) {
        await this.retryOrThrow(resource, error, attempt, retries, started);
      }
    }
  }

  /** How many lock nodes answer PING right now; throws unless a quorum does (readiness). */
  async pingQuorum(): Promise<number> {
    await this.firstConnections;
    const answers = await Promise.allSettled(this.clients.map((c) => c.ping()));
    const up = answers.filter((a) => a.status === 'fulfilled').length;
    if (up < this.quorum) throw new Error(`${up} of ${this.nodes} lock nodes answer, ${this.quorum} needed`);
    return up;
  }

  /** Refuses new locks, waits (bounded) for routines holding locks to finish, then closes the clients. */
  async drain(timeoutMs = 5_000): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    this.clients.forEach((client) => client.disconnect());
  }

  private async run<T>(resource: string, ttlMs: number, fn: LockRoutine<T>, retries: number): Promise<T> {
    this.assertOpen();
    if (!Number.isInteger(ttlMs) || ttlMs < MIN_TTL_MS) {
      throw new Error(`lock TTL must be an integer of at least ${MIN_TTL_MS} ms, got ${ttlMs}`);
    }
    await this.firstConnections;
    const key = lockKey(this.prefix, resource);
    const threshold = Math.min(this.settings.extensionThresholdMs, Math.floor(ttlMs / 2));
    const started = Date.now();
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        // The library's `using` extends the lock before it expires and releases it in `finally`.
        await this.redlock.using(
          [key],
          ttlMs,
          { retryCount: 0, automaticExtensionThreshold: threshold },
          async (redlockSignal) => {
            this.emit({ type: 'acquired', resource, waitMs: Date.now() - started, attempts: attempt });
            const controller = new AbortController();
            redlockSignal.addEventListener(
              'abort',
              () => {
                this.emit({ type: 'lost', resource });
                controller.abort(new LockLostError(resource, redlockSignal.error));
              },
              { once: true },
            );
            try {
              outcome = { ok: true, value: await fn(controller.signal) };
            } catch (error) {
              outcome = { ok: false, error };
            }
          },
        );
      } catch (error) {
        if (!outcome) {
          await this.retryOrThrow(resource, error, attempt, retries, started);
          continue;
        }
        // The routine finished but the release did not reach a quorum: the lock expires on its TTL.
        this.emit({ type: 'release-failed', resource, error });
      }
      if (!outcome) throw new Error('INVARIANT: lock routine did not settle');
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
  }

  /** Classifies a failed attempt; sleeps before the next one on contention, throws otherwise. */
  private async retryOrThrow(
    resource: string,
    error: unknown,
    attempt: number,
    retries: number,
    started: number,
  ): Promise<void> {
    if (!(error instanceof ExecutionError)) throw error;
    const failure = await this.classify(resource, error, attempt);
    if (failure instanceof LockBusyError && attempt <= retries) {
      const { retryDelayMs, retryJitterMs } = this.settings;
      await sleep(Math.max(0, retryDelayMs + Math.round((Math.random() * 2 - 1) * retryJitterMs)));
      return;
    }
    const reason = failure instanceof LockBusyError ? 'busy' : 'unavailable';
    this.emit({ type: 'failed', resource, reason, waitMs: Date.now() - started, attempts: attempt });
    throw failure;
  }

  /**
   * Busy or unavailable? Nodes that said "already locked" are reachable; any other error (refused
   * connection, timeout) means the node is out. If fewer than a quorum are reachable, waiting for
   * the holder would not help.
   */
  private async classify(
    resource: string,
    error: ExecutionError,
    attempt: number,
  ): Promise<LockBusyError | LockUnavailableError> {
    if (error.attempts.length === 0) return new LockUnavailableError(resource, 0, this.quorum);
    const stats = await error.attempts[error.attempts.length - 1];
    const unreachable = [...stats.votesAgainst.values()].filter(
      (e) => !(e instanceof ResourceLockedError),
    ).length;
    const reachable = stats.membershipSize - unreachable;
    return reachable < stats.quorumSize
      ? new LockUnavailableError(resource, reachable, stats.quorumSize)
      : new LockBusyError(resource, attempt);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.then(
      () => this.inFlight.delete(promise),
      () => this.inFlight.delete(promise),
    );
    return promise;
  }

  private assertOpen(): void {
    if (this.closed) throw new LockUnavailableError('(service draining)', 0, this.quorum);
  }

  private emit(event: LockEvent): void {
    this.options.onEvent?.(event);
  }
}
