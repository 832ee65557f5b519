import { createRedis, waitForRedis } from '@sdp/redis';
import { startDisposableRedis, testInfraEnv, uniqueName, waitFor } from '@sdp/testing';
import type { Redis } from 'ioredis';
import { CacheAside, type CacheEvent } from './cache-aside';

const slowLoad =
  (value: string, counter: { calls: number }, ms = 100) =>
  async () => {
    counter.calls++;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return value;
  };

describe(`${CacheAside.name} (real Redis)`, () => {
  const prefix = uniqueName('cache_int');
  let replicaA: Redis;
  let replicaB: Redis;

  beforeAll(async () => {
    const url = testInfraEnv().REDIS_CACHE_URL;
    replicaA = createRedis({ url, name: 'cache-int-a', role: 'cache' });
    replicaB = createRedis({ url, name: 'cache-int-b', role: 'cache' });
    await Promise.all([waitForRedis(replicaA), waitForRedis(replicaB)]);
  });

  afterAll(async () => {
    const keys = await replicaA.keys(`${prefix}:*`);
    if (keys.length) await replicaA.del(...keys);
    replicaA.disconnect();
    replicaB.disconnect();
  });

  it('misses, loads and stores with a TTL, then hits', async () => {
    const cache = new CacheAside(replicaA, { keyPrefix: prefix, ttlSeconds: 60 });
    const loads = { calls: 0 };
    await expect(cache.get('p1', slowLoad('v1', loads, 0))).resolves.toEqual({ value: 'v1', status: 'MISS' });
    await expect(cache.get('p1', slowLoad('v1', loads, 0))).resolves.toEqual({ value: 'v1', status: 'HIT' });
    expect(loads.calls).toBe(1);
    const ttl = await replicaA.ttl(cache.key('p1'));
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(66);
  });

  it('lets 50 concurrent misses on a cold key across two replicas reach the source once', async () => {
    const events: CacheEvent[] = [];
    const options = { keyPrefix: prefix, ttlSeconds: 60, onEvent: (e: CacheEvent) => events.push(e) };
    const caches = [new CacheAside(replicaA, options), new CacheAside(replicaB, options)];
    const loads = { calls: 0 };
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => caches[i % 2].get('cold', slowLoad('fresh', loads))),
    );
    expect(loads.calls).toBe(1);
    expect(results.every((r) => r.value === 'fresh')).toBe(true);
    expect(events.filter((e) => e === 'load')).toHaveLength(1);
    expect(events).toContain('stampede_wait'); // the other replica waited instead of loading
  });

  it('refreshes a hot key early (XFetch): the hit is served, one background reload replaces the value', async () => {
    const events: CacheEvent[] = [];
    // A large beta makes the early refresh certain on the next hit, so the test is deterministic.
    const cache = new CacheAside(replicaA, {
      keyPrefix: prefix,
      ttlSeconds: 60,
      earlyRefreshBeta: 1e9,
      onEvent: (e) => events.push(e),
    });
    const loads = { calls: 0 };
    await cache.get('hot', slowLoad('v1', loads, 5));
    const hit = await cache.get('hot', slowLoad('v2', loads, 5));
    expect(hit).toEqual({ value: 'v1', status: 'HIT' }); // the caller never waits for the refresh
    expect(events).toContain('early_refresh');
    await waitFor(async () => (await replicaA.get(cache.key('hot')))?.includes('"v2"'), {
      timeoutMs: 2_000,
      what: 'the early refresh to land',
    });
    expect(loads.calls).toBe(2);
    const off = new CacheAside(replicaA, { keyPrefix: prefix, ttlSeconds: 60 });
    await off.get('cold-off', slowLoad('x', loads, 0));
    await off.get('cold-off', slowLoad('y', loads, 0));
    expect(loads.calls).toBe(3); // without beta: a plain hit, no reload
  });

  it('caches a not-found briefly so repeated lookups of a missing id stay off the source', async () => {
    const cache = new CacheAside(replicaA, { keyPrefix: prefix, ttlSeconds: 60, negativeTtlSeconds: 5 });
    let calls = 0;
    const load = async () => {
      calls++;
      return null;
    };
    await cache.get('missing', load);
    await expect(cache.get('missing', load)).resolves.toEqual({ value: null, status: 'HIT' });
    expect(calls).toBe(1);
    expect(await replicaA.ttl(cache.key('missing'))).toBeLessThanOrEqual(5);
  });

  it('invalidate drops the entry so the next read loads the new value', async () => {
    const cache = new CacheAside(replicaA, { keyPrefix: prefix, ttlSeconds: 60 });
    await cache.get('p2', async () => 'old');
    await cache.invalidate('p2');
    await expect(cache.get('p2', async () => 'new')).resolves.toEqual({ value: 'new', status: 'MISS' });
  });

  it('a fill that loaded before a write does not overwrite it: the write (set or invalidate) wins', async () => {
    const events: CacheEvent[] = [];
    const cache = new CacheAside(replicaA, {
      keyPrefix: prefix,
      ttlSeconds: 60,
      onEvent: (e) => events.push(e),
    });
    const other = new CacheAside(replicaB, { keyPrefix: prefix, ttlSeconds: 60 });
    for (const write of [() => other.set('raced', 'new'), () => other.invalidate('raced')] as const) {
      // The load reads the old value, then a write lands on the other replica, then the fill tries to set.
      let loaded!: () => void;
      const read = new Promise<void>((resolve) => (loaded = resolve));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      await cache.invalidate('raced');
      const miss = cache.get('raced', async () => {
        loaded();
        await gate;
        return 'old';
      });
      await read;
      await write();
      const stored = await replicaA.get(cache.key('raced'));
      release();
      expect(await miss).toEqual({ value: 'old', status: 'MISS' }); // the caller still gets its load
      expect(await replicaA.get(cache.key('raced'))).toBe(stored); // the write's entry (or none) stays
    }
    expect(events.filter((e) => e === 'stale_fill')).toHaveLength(2);
    // With no write in between, a conditional set lands and a second one with the same stamp does not.
    const stamp = await cache.stamp('cas');
    await expect(cache.setIfUnchanged('cas', 'a', stamp)).resolves.toBe(true);
    await expect(cache.setIfUnchanged('cas', 'b', stamp)).resolves.toBe(false);
    await expect(cache.get('cas', async () => 'never')).resolves.toEqual({ value: 'a', status: 'HIT' });
  });

  it('serves from the source (BYPASS) and reports it when the Redis node dies', async () => {
    const redis = await startDisposableRedis();
    const client = createRedis({ url: redis.url, name: 'cache-int-doomed', role: 'cache' });
    await waitForRedis(client);
    const degraded: string[] = [];
    const cache = new CacheAside(client, {
      keyPrefix: prefix,
      ttlSeconds: 60,
      onDegraded: (_e, op) => degraded.push(op),
    });
    try {
      await cache.get('p3', async () => 'from-db');
      await expect(cache.get('p3', async () => 'from-db')).resolves.toMatchObject({ status: 'HIT' });
      await redis.kill();
      await expect(cache.get('p3', async () => 'from-db')).resolves.toEqual({
        value: 'from-db',
        status: 'BYPASS',
      });
      expect(degraded).toContain('get');
    } finally {
      client.disconnect();
      await redis.kill();
    }
  });
});
