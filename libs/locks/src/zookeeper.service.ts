// Locks on ZooKeeper (LOCK_BACKEND=zookeeper): the classic recipe on a consensus system.
//
// A lock on `resource` is a directory znode `<root>/<key>`. A contender creates an EPHEMERAL_SEQUENTIAL
// child `lock-<seq>` in it; it holds the lock when its child has the lowest sequence number. Otherwise
// it watches only the child just before its own (no herd: one release wakes one waiter) and queues,
// first come first served. The child belongs to the contender's session: when the session ends
// (closed, or expired because the holder stopped heartbeating: crash, pause, partition) the server
// deletes the child and the next in line gets the lock. The session timeout is the lock's expiry,
// enforced by the server, not by anyone's clock. The child's creation zxid (czxid: the position of
// its create in ZooKeeper's totally ordered log) is a fencing token for free.
//
// Client: node-zookeeper-client 1.1.3 (pure JS). It has no per-request timeout and queues requests
// while disconnected, so every call here is bounded by `operationTimeoutMs`. Any doubt about the
// session (a disconnect, an expired session, a timed-out call whose outcome is unknown) abandons it:
// routines holding locks in it see their signal aborted, its znodes go when the server expires it,
// and the next lock opens a new session. That is conservative (a short blip costs the locks held at
// that moment) and never leaves a holder believing it holds a lock the server has given away.
import { CreateMode, Event, Exception, createClient, type Client, type Stat } from 'node-zookeeper-client';
import { setMaxListeners } from 'node:events';
import { LockBusyError, LockLostError, LockUnavailableError } from './errors';
import { LockService, type HeldLock, type HeldRoutine, type LockServiceOptions } from './lock.service';

export interface ZooKeeperLockOptions extends LockServiceOptions {
  /** host:port[,host:port...][/chroot] (ZOOKEEPER_URL). */
  connectionString: string;
  /** How long the server keeps a silent session (and its locks); it clamps this to its own bounds. */
  sessionTimeoutMs?: number;
  /** Bound on every ZooKeeper call and on waiting for a connection. */
  operationTimeoutMs?: number;
  /** Directory under which lock znodes live. */
  root?: string;
  /** Written into each lock znode, to see who holds what (`get <path>` in zkCli). */
  owner?: string;
}

const LOCK_CHILD = 'lock-';

/** A call that got no answer in time: its outcome is unknown, so the session is abandoned. */
class ZooKeeperTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`ZooKeeper did not answer ${what} within ${ms} ms`);
    this.name = 'ZooKeeperTimeout';
  }
}

/** One ZooKeeper session: a client, whether it is connected, and a signal aborted when it is lost. */
class Session {
  readonly client: Client;
  readonly lost = new AbortController();
  private connected = false;
  private sessionHex = '(never connected)';
  private readonly connectedOnce: Promise<void>;

  constructor(connectionString: string, sessionTimeoutMs: number, onTrouble: (error: Error) => void) {
    // Every lock held and every call in flight in this session listens to this signal.
    setMaxListeners(0, this.lost.signal);
    this.client = createClient(connectionString, {
      sessionTimeout: sessionTimeoutMs,
      spinDelay: 200,
      retries: 0,
    });
    this.connectedOnce = new Promise((resolve) => this.client.once('connected', resolve));
    this.client.on('connected', () => {
      this.connected = true;
      this.sessionHex = `0x${this.client.getSessionId().toString('hex')}`;
    });
    const lose = (why: string) => {
      this.connected = false;
      if (this.lost.signal.aborted) return;
      const error = new Error(`ZooKeeper session ${this.id} ${why}`);
      this.lost.abort(error);
      onTrouble(error);
    };
    this.client.on('disconnected', () => lose('disconnected'));
    this.client.on('expired', () => lose('expired'));
    this.client.connect();
  }

  /** The session id (hex) once the server granted one. */
  get id(): string {
    return this.sessionHex;
  }

  get alive(): boolean {
    return !this.lost.signal.aborted;
  }

  /** Resolves once connected; rejects after `ms` or when the session is lost first. */
  async ready(ms: number): Promise<void> {
    if (this.connected) return;
    await bounded(this.connectedOnce, ms, 'a connection', this.lost.signal);
  }

  abandon(reason: Error): void {
    if (!this.lost.signal.aborted) this.lost.abort(reason);
    this.client.close();
  }
}

/** `promise`, or a ZooKeeperTimeout after `ms`, or the signal's reason once it aborts. */
function bounded<T>(promise: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => finish(() => reject(signal!.reason as Error));
    const timer = setTimeout(() => finish(() => reject(new ZooKeeperTimeout(what, ms))), ms);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error instanceof Error ? error : new Error(String(error)))),
    );
  });
}

const isZkError = (error: unknown, code: number): boolean =>
  error instanceof Exception && error.getCode() === code;

const sequenceOf = (child: string): number => Number(child.slice(LOCK_CHILD.length));

export class ZooKeeperLockService extends LockService {
  readonly backend = 'zookeeper' as const;
  private readonly sessionTimeoutMs: number;
  private readonly operationTimeoutMs: number;
  private readonly root: string;
  private readonly owner: Buffer;
  private readonly knownParents = new Set<string>();
  private session: Session | undefined;

  constructor(private readonly zk: ZooKeeperLockOptions) {
    super(zk);
    this.sessionTimeoutMs = zk.sessionTimeoutMs ?? 5_000;
    this.operationTimeoutMs = zk.operationTimeoutMs ?? 2_000;
    this.root = zk.root ?? '/sdp-locks';
    this.owner = Buffer.from(zk.owner ?? `pid ${process.pid}`);
  }

  /** The session timeout the server granted (0 before the first connection). */
  get negotiatedSessionTimeoutMs(): number {
    return this.session?.alive ? this.session.client.getSessionTimeout() : 0;
  }

  async acquire(resource: string, ttlMs: number, { retry = true } = {}): Promise<HeldLock> {
    this.assertOpen();
    const key = this.key(resource);
    const { session, path, fencingToken } = await this.lock(
      key,
      resource,
      retry ? this.settings.retryCount : 0,
    );
    const lost = new AbortController();
    let lostAt = Number.POSITIVE_INFINITY;
    const onLost = () => {
      lostAt = Date.now();
      lost.abort(new LockLostError(resource, session.lost.signal.reason));
    };
    if (session.lost.signal.aborted) onLost();
    else session.lost.signal.addEventListener('abort', onLost, { once: true });
    return {
      resource,
      get expiresAt() {
        return lostAt;
      },
      fencingToken,
      signal: lost.signal,
      release: async () => {
        session.lost.signal.removeEventListener('abort', onLost);
        await this.release(session, path, resource);
      },
    };
  }

  async ping(): Promise<string> {
    const session = this.currentSession();
    await session.ready(this.operationTimeoutMs);
    await this.call(session, 'exists /', (cb) => session.client.exists('/', cb));
    return `session ${session.id}`;
  }

  /** The current session's id (hex), for tests that show a session expiring. */
  sessionId(): string | undefined {
    return this.session?.alive ? this.session.id : undefined;
  }

  protected closeClients(): void {
    this.session?.abandon(new Error('lock service drained'));
    this.session = undefined;
  }

  protected async runHeld<T>(
    key: string,
    resource: string,
    _ttlMs: number,
    retries: number,
    fn: HeldRoutine<T>,
  ): Promise<T> {
    const { session, path, fencingToken } = await this.lock(key, resource, retries);
    const controller = new AbortController();
    const onLost = () => {
      this.emit({ type: 'lost', resource });
      controller.abort(new LockLostError(resource, session.lost.signal.reason));
    };
    if (session.lost.signal.aborted) onLost();
    else session.lost.signal.addEventListener('abort', onLost, { once: true });
    try {
      return await fn(controller.signal, { resource, fencingToken });
    } finally {
      session.lost.signal.removeEventListener('abort', onLost);
      await this.release(session, path, resource);
    }
  }

  /** The lock recipe: create a sequential child, queue behind the one before it, give up after `retries` waits. */
  private async lock(
    key: string,
    resource: string,
    retries: number,
  ): Promise<{ session: Session; path: string; fencingToken: bigint }> {
    const started = Date.now();
    let attempts = 0;
    const fail = (reason: 'busy' | 'unavailable', error: Error): never => {
      this.emit({
        type: 'failed',
        resource,
        reason,
        waitMs: Date.now() - started,
        attempts: Math.max(1, attempts),
      });
      throw error;
    };
    const session = this.currentSession();
    try {
      await session.ready(this.operationTimeoutMs);
      const parent = `${this.root}/${key}`;
      await this.ensureParent(session, parent);
      const path = await this.call<string>(session, `create ${parent}`, (cb) =>
        session.client.create(`${parent}/${LOCK_CHILD}`, this.owner, CreateMode.EPHEMERAL_SEQUENTIAL, cb),
      );
      const mine = path.slice(parent.length + 1);
      for (;;) {
        attempts++;
        const children = await this.call<string[]>(session, `getChildren ${parent}`, (cb) =>
          session.client.getChildren(parent, (error, names) => cb(error, names)),
        );
        const queue = children
          .filter((c) => c.startsWith(LOCK_CHILD))
          .sort((a, b) => sequenceOf(a) - sequenceOf(b));
        const position = queue.indexOf(mine);
        if (position === -1) throw new Error(`lock znode ${path} vanished (session expired?)`);
        if (position === 0) break;
        if (attempts > retries) {
          await this.removeQuietly(session, path);
          return fail('busy', new LockBusyError(resource, attempts));
        }
        await this.waitForTurn(session, `${parent}/${queue[position - 1]}`);
      }
      const stat = await this.call<Stat | undefined>(session, `exists ${path}`, (cb) =>
        session.client.exists(path, cb),
      );
      if (!stat) throw new Error(`lock znode ${path} vanished (session expired?)`);
      this.emit({ type: 'acquired', resource, waitMs: Date.now() - started, attempts });
      return { session, path, fencingToken: stat.czxid.readBigUInt64BE(0) };
    } catch (error) {
      if (error instanceof LockBusyError) throw error;
      // Unknown state: a create may have succeeded unseen. Drop the session so nothing lingers
      // beyond its expiry, and let the next lock open a fresh one.
      this.abandon(session, error as Error);
      return fail('unavailable', new LockUnavailableError(resource, 0, 1));
    }
  }

  /** Waits for the predecessor's znode to go, or for the retry pause, whichever is first. */
  private async waitForTurn(session: Session, predecessor: string): Promise<void> {
    let wake: () => void = () => undefined;
    const deleted = new Promise<void>((resolve) => (wake = resolve));
    const stat = await this.call<Stat | undefined>(session, `exists ${predecessor}`, (cb) =>
      session.client.exists(
        predecessor,
        (event) => {
          if (event.getType() === Event.NODE_DELETED) wake();
        },
        cb,
      ),
    );
    if (!stat) return; // already gone: look again at once
    const pause = this.retryPause();
    await bounded(deleted, pause, 'a release', session.lost.signal).catch((error: unknown) => {
      if (!(error instanceof ZooKeeperTimeout)) throw error;
    });
  }

  private async ensureParent(session: Session, parent: string): Promise<void> {
    if (this.knownParents.has(parent)) return;
    await this.call(session, `mkdirp ${parent}`, (cb) => session.client.mkdirp(parent, cb));
    this.knownParents.add(parent);
  }

  private async release(session: Session, path: string, resource: string): Promise<void> {
    // A lost session's znodes are deleted by the server when it expires the session.
    if (!session.alive) return;
    try {
      await this.call(session, `delete ${path}`, (cb) =>
        session.client.remove(path, -1, (error) => cb(error, undefined)),
      );
    } catch (error) {
      if (isZkError(error, Exception.NO_NODE)) return;
      this.emit({ type: 'release-failed', resource, error });
      this.abandon(session, error as Error);
    }
  }

  private async removeQuietly(session: Session, path: string): Promise<void> {
    await this.call(session, `delete ${path}`, (cb) =>
      session.client.remove(path, -1, (error) => cb(error, undefined)),
    ).catch((error: unknown) => {
      if (!isZkError(error, Exception.NO_NODE)) throw error;
    });
  }

  /** One ZooKeeper call, bounded by the operation timeout and by the session's loss. */
  private call<T>(
    session: Session,
    what: string,
    start: (cb: (error: Error | Exception | null, value: T) => void) => void,
  ): Promise<T> {
    const pending = new Promise<T>((resolve, reject) =>
      // The library's Exception inherits from Error at run time (util.inherits); its typings do not say so.
      start((error, value) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(value),
      ),
    );
    return bounded(pending, this.operationTimeoutMs, what, session.lost.signal);
  }

  private currentSession(): Session {
    if (!this.session?.alive) {
      this.session?.abandon(new Error('replaced'));
      this.session = new Session(this.zk.connectionString, this.sessionTimeoutMs, (error) =>
        this.emit({ type: 'node-error', error }),
      );
    }
    return this.session;
  }

  private abandon(session: Session, reason: Error): void {
    if (session.alive) this.emit({ type: 'node-error', error: reason });
    session.abandon(reason);
    if (this.session === session) this.session = undefined;
  }
}
