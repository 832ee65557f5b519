// Redlock over independent Redis nodes (the default backend).
//
// Library choice: @sesamecare-oss/redlock 1.4.0 (maintained fork of node-redlock, ioredis 5+). Its
// successor `redlock-universal` requires Node >= 22, so it cannot run on this project's Node 20.
// Neither issues fencing tokens: callers that write through the lock take one from their database
// (see apps/inventory, `nextval('fence_seq')`).
import { ExecutionError, Redlock, ResourceLockedError, type Lock } from '@sesamecare-oss/redlock';
import type { Redis } from 'ioredis';
import { LockBusyError, LockLostError, LockUnavailableError } from './errors';
import { LockService, type HeldLock, type HeldRoutine, type LockServiceOptions } from './lock.service';
import { sleep } from '@sdp/scheduling';

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

export class RedlockLockService extends LockService {
  readonly backend = 'redlock' as const;
  private readonly redlock: Redlock;
  private readonly extensionThresholdMs: number;
  /** Settles once every client has either connected or failed its first connection attempt. */
  private readonly firstConnections: Promise<unknown>;

  constructor(
    private readonly clients: readonly Redis[],
    options: LockServiceOptions = {},
  ) {
    super(options);
    this.extensionThresholdMs = options.extensionThresholdMs ?? 500;
    // The library's own retries are off: we retry only on contention, so that a lost quorum fails
    // fast instead of spinning through the whole retry window.
    this.redlock = new Redlock(clients, {
      driftFactor: options.driftFactor ?? 0.01,
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

  async acquire(resource: string, ttlMs: number, { retry = true } = {}): Promise<HeldLock> {
    this.assertOpen();
    await this.firstConnections;
    const key = this.key(resource);
    const started = Date.now();
    const retries = retry ? this.settings.retryCount : 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const lock: Lock = await this.redlock.acquire([key], ttlMs, { retryCount: 0 });
        this.emit({ type: 'acquired', resource, waitMs: Date.now() - started, attempts: attempt });
        // Nobody extends this lock: it is gone at its expiration, and the signal says so then.
        const expiry = new AbortController();
        const timer = setTimeout(
          () => expiry.abort(new LockLostError(resource, new Error('TTL passed'))),
          Math.max(0, lock.expiration - Date.now()),
        );
        timer.unref();
        return {
          resource,
          get expiresAt() {
            return lock.expiration;
          },
          fencingToken: undefined,
          signal: expiry.signal,
          release: async () => {
            clearTimeout(timer);
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

  async ping(): Promise<string> {
    const up = await this.pingQuorum();
    return `${up} of ${this.nodes} lock nodes`;
  }

  /** How many lock nodes answer PING right now; throws unless a quorum does (readiness). */
  async pingQuorum(): Promise<number> {
    await this.firstConnections;
    const answers = await Promise.allSettled(this.clients.map((c) => c.ping()));
    const up = answers.filter((a) => a.status === 'fulfilled').length;
    if (up < this.quorum) throw new Error(`${up} of ${this.nodes} lock nodes answer, ${this.quorum} needed`);
    return up;
  }

  protected closeClients(): void {
    this.clients.forEach((client) => client.disconnect());
  }

  protected async runHeld<T>(
    key: string,
    resource: string,
    ttlMs: number,
    retries: number,
    fn: HeldRoutine<T>,
  ): Promise<T> {
    await this.firstConnections;
    const threshold = Math.min(this.extensionThresholdMs, Math.floor(ttlMs / 2));
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
              outcome = {
                ok: true,
                value: await fn(controller.signal, { resource, fencingToken: undefined }),
              };
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
      await sleep(this.retryPause());
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
}
