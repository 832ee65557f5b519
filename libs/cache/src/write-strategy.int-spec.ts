import { createRedis, waitForRedis } from '@sdp/redis';
import { testInfraEnv, uniqueName } from '@sdp/testing';
import type { Redis } from 'ioredis';
import { CounterBuffer, WriteBackQueue } from './write-strategy';

describe(`${WriteBackQueue.name} (real Redis)`, () => {
  let redis: Redis;
  const prefix = uniqueName('wb_int');

  beforeAll(async () => {
    redis = createRedis({ url: testInfraEnv().REDIS_CACHE_URL, name: 'wb-int', role: 'cache' });
    await waitForRedis(redis);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('merges writes per id and hands each id to exactly one of many concurrent claimers', async () => {
    const queue = new WriteBackQueue(redis, `${prefix}:a`);
    for (let id = 0; id < 100; id++) await queue.enqueue(String(id), { price: String(id) });
    await queue.enqueue('7', { name: '"seven"' });
    expect(await queue.depth()).toBe(100);
    const claims = await Promise.all(Array.from({ length: 8 }, () => queue.claim(20)));
    const ids = claims.flat().map((w) => w.id);
    expect(ids).toHaveLength(100);
    expect(new Set(ids).size).toBe(100);
    expect(claims.flat().find((w) => w.id === '7')?.fields).toEqual({ price: '7', name: '"seven"' });
    expect(await queue.depth()).toBe(0);
  });

  it('requeues a failed batch without overwriting a newer write made after the claim', async () => {
    const queue = new WriteBackQueue(redis, `${prefix}:b`);
    await queue.enqueue('1', { price: '100', name: '"old"' });
    const [claimed] = await queue.claim(10);
    await queue.enqueue('1', { price: '200' }); // written while the flush was failing
    await queue.requeue([claimed]);
    expect(await queue.depth()).toBe(1);
    expect(await queue.pending('1')).toEqual({ price: '200', name: '"old"' });
  });

  it('reports the age of the oldest unflushed write', async () => {
    const queue = new WriteBackQueue(redis, `${prefix}:c`);
    expect(await queue.lagMs()).toBe(0);
    await queue.enqueue('1', { price: '1' }, 1_000);
    await queue.enqueue('2', { price: '1' }, 5_000);
    expect(await queue.lagMs(6_000)).toBe(5_000);
    const claimed = await queue.claim(10);
    await queue.flushed(claimed.map((w) => w.id));
    expect(await queue.lagMs(6_000)).toBe(0);
  });
});

describe(`${CounterBuffer.name} (real Redis)`, () => {
  it('takes all counts at once; increments during a take land in the next one', async () => {
    const redis = createRedis({ url: testInfraEnv().REDIS_CACHE_URL, name: 'cb-int', role: 'cache' });
    await waitForRedis(redis);
    const key = uniqueName('cb_int');
    try {
      const counters = new CounterBuffer(redis, key);
      await Promise.all(Array.from({ length: 30 }, (_, i) => counters.incr(String(i % 3))));
      const [first] = await Promise.all([counters.take(), counters.incr('0')]);
      const second = await counters.take();
      const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      expect(total(first) + total(second)).toBe(31);
      expect(await counters.take()).toEqual(new Map());
    } finally {
      await redis.del(key, `${key}:flushing`);
      redis.disconnect();
    }
  });
});
