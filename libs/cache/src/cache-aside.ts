import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SingleFlight } from './single-flight';
import { jitteredTtl, shouldRefreshEarly } from './ttl';
import { sleep } from '@sdp/scheduling';

/** HIT: served from Redis. MISS: loaded from the source. BYPASS: Redis unavailable, served from the source. */
export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';

export interface CacheResult<T> {
  value: T;
  status: CacheStatus;
}

export type CacheEvent = 'hit' | 'miss' | 'load' | 'stampede_wait' | 'bypass' | 'early_refresh';

export interface CacheAsideOptions {
  /** Prefix for every key this cache writes, e.g. "catalog". */
  keyPrefix: string;
  ttlSeconds: number;
  /** A "not found" is cached too (briefly), so lookups of missing ids do not all reach the database. */
  negativeTtlSeconds?: number;
  /** How long one replica may hold the right to load a key before others give up waiting on it. */
  loadLockMs?: number;
  /** Poll interval while another replica loads the key. */
  waitPollMs?: number;
  /**
   * XFetch early refresh (see `shouldRefreshEarly`): 0 or unset = off. With it on, a hit close to
   * expiry may trigger one background reload while the cached value is still served.
   */
  earlyRefreshBeta?: number;
  onEvent?: (event: CacheEvent) => void;
  onDegraded?: (error: unknown, operation: string) => void;
}

interface Stored<T> {
  v: T | null;
  /** How long the load took (ms) and when the entry expires (epoch ms): inputs to early refresh. */
  d?: number;
  e?: number;
}

// Releases the load lock only if we still own it (it may have expired and been taken by another).
const RELEASE_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Cache-aside reads (the application, not the cache, talks to the database):
 *   1. GET the key; a hit is answered from Redis.
 *   2. On a miss, one caller per key loads from the source. Inside a process SingleFlight coalesces
 *      concurrent misses; across replicas a short `SET NX PX` load lock elects one loader, and the
 *      others poll Redis until the value lands (or the lock expires and they load themselves).
 *   3. The loader writes the value with a jittered TTL.
 * If Redis fails, reads go straight to the source (BYPASS) and the failure is reported, never thrown.
 */
export class CacheAside {
  private readonly flights = new SingleFlight();
  private readonly negativeTtlSeconds: number;
  private readonly loadLockMs: number;
  private readonly waitPollMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: CacheAsideOptions,
  ) {
    this.negativeTtlSeconds = options.negativeTtlSeconds ?? 30;
    this.loadLockMs = options.loadLockMs ?? 2_000;
    this.waitPollMs = options.waitPollMs ?? 15;
  }

  key(id: string): string {
    return `${this.options.keyPrefix}:${id}`;
  }

  async get<T>(id: string, load: () => Promise<T | null>): Promise<CacheResult<T | null>> {
    const key = this.key(id);
    let cached: Stored<T> | undefined;
    try {
      cached = await this.read<T>(key);
    } catch (error) {
      return this.bypass(id, load, error, 'get');
    }
    if (cached) {
      this.emit('hit');
      this.maybeRefreshEarly(key, cached, load);
      return { value: cached.v, status: 'HIT' };
    }
    this.emit('miss');
    const { promise } = this.flights.run(key, () => this.loadOnce(key, load));
    return { value: await promise, status: 'MISS' };
  }

  /** Puts a value in the cache (write-through, write-back): the next read is a HIT with it. */
  async set<T>(id: string, value: T | null): Promise<void> {
    const ttl = value === null ? this.negativeTtlSeconds : jitteredTtl(this.options.ttlSeconds);
    const stored: Stored<T> = { v: value };
    await this.redis.set(this.key(id), JSON.stringify(stored), 'EX', ttl);
  }

  /** Drops the entry; the next read loads the current value from the source. */
  async invalidate(id: string): Promise<void> {
    try {
      await this.redis.del(this.key(id));
    } catch (error) {
      this.options.onDegraded?.(error, 'invalidate');
      throw error;
    }
  }

  private async loadOnce<T>(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const lockKey = `${key}:loading`;
    const token = randomUUID();
    let haveLock: boolean;
    try {
      haveLock = (await this.redis.set(lockKey, token, 'PX', this.loadLockMs, 'NX')) === 'OK';
    } catch (error) {
      this.options.onDegraded?.(error, 'lock');
      return this.loadFromSource(load);
    }
    if (!haveLock) {
      const landed = await this.waitForOtherLoader<T>(key, lockKey);
      if (landed) return landed.v;
    }
    try {
      const started = Date.now();
      const value = await this.loadFromSource(load);
      await this.write(key, value, Date.now() - started);
      return value;
    } finally {
      if (haveLock) await this.redis.eval(RELEASE_IF_OWNER, 1, lockKey, token).catch(() => undefined);
    }
  }

  private maybeRefreshEarly<T>(key: string, cached: Stored<T>, load: () => Promise<T | null>): void {
    const beta = this.options.earlyRefreshBeta ?? 0;
    if (cached.d === undefined || cached.e === undefined || !shouldRefreshEarly(cached.d, cached.e, beta))
      return;
    this.emit('early_refresh');
    // Same path as a miss: one loader per key in this process, one across replicas (the load lock).
    void this.flights.run(key, () => this.loadOnce(key, load)).promise.catch(() => undefined);
  }

  /** Another replica is loading this key: wait for its value instead of hitting the source too. */
  private async waitForOtherLoader<T>(key: string, lockKey: string): Promise<Stored<T> | undefined> {
    this.emit('stampede_wait');
    const deadline = Date.now() + this.loadLockMs;
    while (Date.now() < deadline) {
      await sleep(this.waitPollMs);
      try {
        const [value, lockHeld] = await Promise.all([this.read<T>(key), this.redis.exists(lockKey)]);
        if (value) return value;
        if (!lockHeld) return this.read<T>(key); // loader finished or gave up
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  private async loadFromSource<T>(load: () => Promise<T | null>): Promise<T | null> {
    this.emit('load');
    return load();
  }

  private async read<T>(key: string): Promise<Stored<T> | undefined> {
    const raw = await this.redis.get(key);
    return raw === null ? undefined : (JSON.parse(raw) as Stored<T>);
  }

  private async write<T>(key: string, value: T | null, loadMs: number): Promise<void> {
    const ttl = value === null ? this.negativeTtlSeconds : jitteredTtl(this.options.ttlSeconds);
    const stored: Stored<T> = { v: value, d: loadMs, e: Date.now() + ttl * 1_000 };
    await this.redis.set(key, JSON.stringify(stored), 'EX', ttl).catch((error: unknown) => {
      this.options.onDegraded?.(error, 'set');
    });
  }

  private async bypass<T>(
    id: string,
    load: () => Promise<T | null>,
    error: unknown,
    operation: string,
  ): Promise<CacheResult<T | null>> {
    this.options.onDegraded?.(error, operation);
    this.emit('bypass');
    // Still coalesce inside this process: a cache outage must not turn into a database stampede.
    const { promise } = this.flights.run(`bypass:${this.key(id)}`, () => this.loadFromSource(load));
    return { value: await promise, status: 'BYPASS' };
  }

  private emit(event: CacheEvent): void {
    this.options.onEvent?.(event);
  }
}
