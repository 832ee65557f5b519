import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createRedis, waitForRedis } from '@sdp/redis';
import { asUser, connectPostgres, testInfraEnv, testSchema, uniqueName, waitFor } from '@sdp/testing';
import type { Redis } from 'ioredis';
import type { Client } from 'pg';
import { ProductsService } from './products/products.service';
import { WriteBackFlusher } from './products/write-back.flusher';
import { startCatalogApp } from '../test/support/catalog-app';

// The three write strategies on two in-process replicas against the real Postgres and Redis. The
// interval flusher is slowed to a minute so each test flushes by hand and can look in between.
const schema = testSchema('catalog_ws');
const cachePrefix = uniqueName('catalog_ws');

const startReplica = (index: number, overrides: Record<string, string> = {}) =>
  startCatalogApp({
    DB_SCHEMA: schema.name,
    CACHE_KEY_PREFIX: cachePrefix,
    INSTANCE_ID: `catalog-ws-${index}`,
    WRITE_BACK_FLUSH_MS: '60000',
    ...overrides,
  });

describe('product write strategies (integration)', () => {
  const replicas: NestFastifyApplication[] = [];
  let redis: Redis;
  let db: Client;
  const admin = asUser('admin-1', 'admin');
  const get = (url: string, replica = 0) => replicas[replica].inject({ method: 'GET', url });
  const put = (url: string, body: unknown, replica = 0, identity = admin) =>
    replicas[replica].inject({
      method: 'PUT',
      url,
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...identity },
    });
  const useStrategy = async (strategy: string) => {
    const res = await put('/admin/cache/write-strategy', { strategy });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ strategy });
  };
  const inPostgres = async (id: number) =>
    (await db.query(`SELECT price_cents FROM "${schema.name}".products WHERE id = $1`, [id])).rows[0]
      .price_cents as number;
  const inRedis = async (id: number) => {
    const raw = await redis.get(`${cachePrefix}:product:${id}`);
    return raw === null ? null : (JSON.parse(raw) as { v: { priceCents: number } }).v.priceCents;
  };

  beforeAll(async () => {
    replicas.push(await startReplica(1), await startReplica(2));
    redis = createRedis({ url: testInfraEnv().REDIS_CACHE_URL, name: 'catalog-ws-test', role: 'cache' });
    await waitForRedis(redis);
    db = await connectPostgres();
  });

  afterAll(async () => {
    await Promise.all(replicas.map((app) => app.close()));
    const keys = await redis.keys(`${cachePrefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await db.end();
    await schema.drop();
  });

  it('starts as write-around (the configured default) and only an admin may switch it', async () => {
    expect((await get('/admin/cache/write-strategy')).statusCode).toBe(401);
    expect(
      (
        await replicas[0].inject({ method: 'GET', url: '/admin/cache/write-strategy', headers: admin })
      ).json(),
    ).toEqual({
      strategy: 'write-around',
    });
    const customer = await put('/admin/cache/write-strategy', { strategy: 'write-back' }, 0, asUser('u-1'));
    expect(customer.statusCode).toBe(403);
    const bad = await put('/admin/cache/write-strategy', { strategy: 'write-sideways' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/strategy must be one of write-around, write-through, write-back/);
    expect(await redis.get(`${cachePrefix}:config:product-write-strategy`)).toBeNull();
  });

  it('write-around: Postgres has the new value, Redis has nothing, the next read is a MISS that loads it', async () => {
    await useStrategy('write-around');
    await get('/products/41'); // cached with the old value
    expect(await inRedis(41)).not.toBeNull();
    expect((await put('/products/41', { priceCents: 1_111 })).statusCode).toBe(200);
    expect(await inPostgres(41)).toBe(1_111);
    expect(await inRedis(41)).toBeNull();
    const next = await get('/products/41', 1);
    expect(next.headers['x-cache']).toBe('MISS');
    expect(next.json().priceCents).toBe(1_111);
  });

  it('write-through: Postgres and Redis both have the new value, the next read (other replica) is a HIT', async () => {
    await useStrategy('write-through');
    await get('/products/42');
    expect((await put('/products/42', { priceCents: 2_222 })).statusCode).toBe(200);
    expect(await inPostgres(42)).toBe(2_222);
    expect(await inRedis(42)).toBe(2_222);
    const next = await get('/products/42', 1);
    expect(next.headers['x-cache']).toBe('HIT');
    expect(next.json().priceCents).toBe(2_222);
  });

  it('write-back: Redis answers with the new value at once, Postgres only after a flush', async () => {
    await useStrategy('write-back');
    const before = await inPostgres(43);
    const res = await put('/products/43', { priceCents: 3_333 }, 1); // the switch reached replica 2 too
    expect(res.statusCode).toBe(200);
    expect(res.json().priceCents).toBe(3_333);
    expect(await inRedis(43)).toBe(3_333);
    expect(await inPostgres(43)).toBe(before); // not yet
    expect(await redis.sismember(`${cachePrefix}:write-back:product:dirty`, '43')).toBe(1);
    const next = await get('/products/43', 0);
    expect(next.headers['x-cache']).toBe('HIT');
    expect(next.json().priceCents).toBe(3_333);

    // Even if the cached entry goes (eviction, TTL), a read overlays the pending change on the row.
    await redis.del(`${cachePrefix}:product:43`);
    expect((await get('/products/43', 1)).json().priceCents).toBe(3_333);

    expect(await replicas[0].get(WriteBackFlusher).flushAll()).toBe(1);
    expect(await inPostgres(43)).toBe(3_333);
    expect(await redis.scard(`${cachePrefix}:write-back:product:dirty`)).toBe(0);
    expect(await redis.exists(`${cachePrefix}:write-back:product:pending:43`)).toBe(0);
  });

  it('write-back: a reload (product.updated) that read just before a write-back write does not put the older value back', async () => {
    await useStrategy('write-back');
    await get('/products/61'); // cached, old value
    const service = replicas[0].get(ProductsService);
    const queue = service.writeBack;
    const pending = queue.pending.bind(queue);
    // Replica 1's reload reads the row and the pending changes, then stops until the write below is done.
    let read!: () => void;
    const hasRead = new Promise<void>((resolve) => (read = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    jest.spyOn(queue, 'pending').mockImplementationOnce(async (id) => {
      const changes = await pending(id);
      read();
      await gate;
      return changes;
    });
    const reload = service.reloadCached(61);
    await hasRead;
    expect((await put('/products/61', { priceCents: 6_161 }, 1)).statusCode).toBe(200); // replica 2, write-back
    release();
    await reload;
    expect(await inRedis(61)).toBe(6_161);
    const next = await get('/products/61');
    expect(next.headers['x-cache']).toBe('HIT');
    expect(next.json().priceCents).toBe(6_161);
    // After the flush, product.updated's reload reads the committed row: the same value.
    expect(await replicas[0].get(WriteBackFlusher).flushAll()).toBe(1);
    await service.reloadCached(61);
    expect(await inRedis(61)).toBe(6_161);
  });

  it('write-back: many writes to one product collapse into one database write of the latest value', async () => {
    await useStrategy('write-back');
    for (const price of [501, 502, 503])
      expect((await put('/products/44', { priceCents: price })).statusCode).toBe(200);
    expect((await put('/products/44', { name: 'Late Rename' }, 1)).statusCode).toBe(200);
    expect(await replicas[1].get(WriteBackFlusher).flushAll()).toBe(1);
    const row = await db.query(`SELECT name, price_cents FROM "${schema.name}".products WHERE id = 44`);
    expect(row.rows[0]).toEqual({ name: 'Late Rename', price_cents: 503 });
  });

  it('write-back: two replicas flushing concurrently apply each write exactly once', async () => {
    await useStrategy('write-back');
    const ids = Array.from({ length: 40 }, (_, i) => 100 + i);
    for (const id of ids)
      expect((await put(`/products/${id}`, { priceCents: 7_000 + id }, id % 2)).statusCode).toBe(200);
    const applied = await Promise.all(replicas.map((app) => app.get(WriteBackFlusher).flushAll()));
    expect(applied[0] + applied[1]).toBe(ids.length); // claimed once in total, however they split
    const rows = await db.query(
      `SELECT id, price_cents FROM "${schema.name}".products WHERE id = ANY($1::int[]) ORDER BY id`,
      [ids],
    );
    expect(rows.rows).toEqual(ids.map((id) => ({ id, price_cents: 7_000 + id })));
  });

  it('write-back: a flusher stalled past its lease rolls back; another replica applies the batch, newer change on top', async () => {
    await useStrategy('write-back');
    const slow = await startReplica(4, {
      WRITE_BACK_LEASE_MS: '300',
      WRITE_BACK_TEST_PAUSE_BEFORE_COMMIT_MS: '800',
    });
    try {
      const before = await inPostgres(49);
      expect((await put('/products/49', { priceCents: 4_901, name: 'Stalled Lamp' })).statusCode).toBe(200);
      const stalled = slow.get(WriteBackFlusher).flushOnce();
      await waitFor(
        async () => (await redis.hlen(`${cachePrefix}:write-back:product:inflight-owner`)) === 1,
        {
          what: 'the slow replica claiming product 49',
        },
      );
      expect((await put('/products/49', { priceCents: 4_902 })).statusCode).toBe(200); // newer, while in flight
      await new Promise((resolve) => setTimeout(resolve, 400)); // the slow replica's lease is over
      expect(await replicas[0].get(WriteBackFlusher).flushAll()).toBe(1);
      await expect(stalled).rejects.toThrow(/lease expired before commit/);
      expect(before).not.toBe(4_902);
      const row = await db.query(`SELECT name, price_cents FROM "${schema.name}".products WHERE id = 49`);
      expect(row.rows[0]).toEqual({ name: 'Stalled Lamp', price_cents: 4_902 });
      expect(await redis.hlen(`${cachePrefix}:write-back:product:inflight-owner`)).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it('write-back of view counters: reads HINCRBY in Redis, the flusher adds them to product_stats', async () => {
    for (let i = 0; i < 5; i++) await get('/products/45', i % 2);
    expect(Number(await redis.hget(`${cachePrefix}:stats:views`, '45'))).toBeGreaterThanOrEqual(5);
    await replicas[0].get(WriteBackFlusher).flushAll();
    expect(await redis.hget(`${cachePrefix}:stats:views`, '45')).toBeNull();
    const stats = await db.query(`SELECT views FROM "${schema.name}".product_stats WHERE product_id = 45`);
    expect(Number(stats.rows[0].views)).toBe(5);
  });

  it('exposes hit ratio, cache-node evictions and the write-back queue depth and lag on /metrics', async () => {
    await useStrategy('write-back');
    expect((await put('/products/47', { priceCents: 4_747 })).statusCode).toBe(200);
    await get('/products/48');
    await get('/products/48');
    const metrics = (await replicas[0].inject({ method: 'GET', url: '/metrics' })).body;
    const value = (pattern: RegExp) => Number(metrics.match(pattern)?.[1]);
    expect(value(/^catalog_write_back_queue_depth (\S+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^catalog_write_back_flush_lag_seconds (\S+)$/m)).toBeGreaterThanOrEqual(0);
    const ratio = value(/^cache_hit_ratio\{cache="product"\} (\S+)$/m);
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
    expect(value(/^redis_cache_node\{stat="evicted_keys"\} (\S+)$/m)).toBeGreaterThanOrEqual(0);
    expect(value(/^redis_cache_node\{stat="used_memory"\} (\S+)$/m)).toBeGreaterThan(0);
    expect(metrics).toMatch(/^cache_events_total\{cache="product",event="load"\} \d+$/m);
    await replicas[0].get(WriteBackFlusher).flushAll();
    const after = (await replicas[0].inject({ method: 'GET', url: '/metrics' })).body;
    expect(after).toMatch(/^catalog_write_back_queue_depth 0$/m);
    expect(after).toMatch(/^catalog_write_back_flush_lag_seconds 0$/m);
  });

  it('a graceful stop flushes what is pending', async () => {
    await useStrategy('write-back');
    const extra = await startReplica(3);
    const res = await extra.inject({
      method: 'PUT',
      url: '/products/46',
      payload: JSON.stringify({ priceCents: 4_646 }),
      headers: { 'content-type': 'application/json', ...admin },
    });
    expect(res.statusCode).toBe(200);
    expect(await inPostgres(46)).not.toBe(4_646);
    await extra.close();
    expect(await inPostgres(46)).toBe(4_646);
  });
});
