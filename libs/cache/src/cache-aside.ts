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

export type CacheEvent =
  'hit' | 'miss' | 'load' | 'stampede_wait' | 'bypass' | 'early_refresh' | 'stale_fill';

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

// Every change of an entry (set, fill, invalidate) writes a fresh random stamp next to it. A fill
// reads the stamp before it loads and lands only if the stamp is still the same, so a value loaded
// before someone else's write can never overwrite that write. ARGV[1] '*' = unconditional.
// KEYS: entry, stamp. ARGV: expected stamp ('' = none yet) or '*', entry JSON (or '' to delete), entry TTL, new stamp, stamp TTL.
const SET_IF_STAMP = `
local current = redis.call('get', KEYS[2]) or ''
if ARGV[1] ~= '*' and current ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('del', KEYS[1]) else redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
redis.call('set', KEYS[2], ARGV[4], 'EX', ARGV[5])
return 1`;

/**
 * How long a stamp outlives its last change. A fill that read "no stamp" and takes longer than this
 * could land over a change whose stamp expired meanwhile; loads take milliseconds.
 */
const STAMP_TTL_SECONDS = 3_600;

/**
 * Cache-aside reads (the application, not the cache, talks to the database):
 *   1. GET the key; a hit is answered from Redis.
 *   2. On a miss, one caller per key loads from the source. Inside a process SingleFlight coalesces
 *      concurrent misses; across replicas a short `SET NX PX` load lock elects one loader, and the
 *      others poll Redis until the value lands (or the lock expires and they load themselves).
 *   3. The loader writes the value with a jittered TTL, unless the entry was set or invalidated
 *      while it loaded (a stamp next to the entry changes with every write): then the newer write
 *      stays and the older load is dropped (counted as `stale_fill`).
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
    await this.setIf(this.key(id), '*', { v: value });
  }

  /**
   * Puts a value in the cache only if nobody set, filled or invalidated the entry since `stamp()`
   * returned `stamp`. Read the stamp before reading the value's source. Returns whether it landed.
   */
  async setIfUnchanged<T>(id: string, value: T | null, stamp: string): Promise<boolean> {
    const landed = await this.setIf(this.key(id), stamp, { v: value });
    if (!landed) this.emit('stale_fill');
    return landed;
  }

  /** The entry's current stamp ('' before its first change): see setIfUnchanged. */
  async stamp(id: string): Promise<string> {
    return (await this.redis.get(this.stampKey(this.key(id)))) ?? '';
  }

  /** Drops the entry; the next read loads the current value from the source. */
  async invalidate(id: string): Promise<void> {
    try {
      await this.setIf(this.key(id), '*', null);
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
      const stamp = (await this.redis.get(this.stampKey(key)).catch(() => null)) ?? '';
      const started = Date.now();
      const value = await this.loadFromSource(load);
      await this.write(key, value, Date.now() - started, stamp);
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

  /** A fill after a load: lands only if the entry did not change since `stamp` (read before the load). */
  private async write<T>(key: string, value: T | null, loadMs: number, stamp: string): Promise<void> {
    try {
      if (!(await this.setIf(key, stamp, { v: value, d: loadMs }))) this.emit('stale_fill');
    } catch (error) {
      this.options.onDegraded?.(error, 'set');
    }
  }

  /** SET_IF_STAMP: the entry (null = delete it) with a jittered TTL and a fresh stamp. */
  private async setIf<T>(key: string, expected: string, stored: Stored<T> | null): Promise<boolean> {
    const ttl =
      stored === null || stored.v === null ? this.negativeTtlSeconds : jitteredTtl(this.options.ttlSeconds);
    if (stored?.d !== undefined) stored.e = Date.now() + ttl * 1_000;
    const landed = await this.redis.eval(
      SET_IF_STAMP,
      2,
      key,
      this.stampKey(key),
      expected,
      stored === null ? '' : JSON.stringify(stored),
      ttl,
      randomUUID(),
      STAMP_TTL_SECONDS,
    );
    return landed === 1;
  }

  private stampKey(key: string): string {
    return `${key}:stamp`;
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
