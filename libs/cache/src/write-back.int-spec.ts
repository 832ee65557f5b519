import { createRedis, waitForRedis } from '@sdp/redis';
import { testInfraEnv, uniqueName } from '@sdp/testing';
import type { Redis } from 'ioredis';
import { WriteBackQueue } from './write-back';

const LEASE = 1_000;

describe(`${WriteBackQueue.name} (real Redis)`, () => {
  let redis: Redis;
  const prefix = uniqueName('wb_int');
  const queuesOn = (name: string) =>
    ['replica-a', 'replica-b'].map((owner) => new WriteBackQueue(redis, `${prefix}:${name}`, { owner }));
  const keysOf = (name: string) => redis.keys(`${prefix}:${name}:*`);

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
    const [queue] = queuesOn('merge');
    for (let id = 0; id < 100; id++) await queue.enqueue(String(id), { price: String(id) });
    await queue.enqueue('7', { name: '"seven"' });
    expect(await queue.depth()).toBe(100);
    const claims = await Promise.all(Array.from({ length: 8 }, () => queue.claim(20, LEASE)));
    const writes = claims.flatMap((c) => c.writes);
    expect(writes).toHaveLength(100);
    expect(new Set(writes.map((w) => w.id)).size).toBe(100);
    expect(writes.find((w) => w.id === '7')?.fields).toEqual({ price: '7', name: '"seven"' });
    expect(await queue.depth()).toBe(100); // in flight until acked
    await Promise.all(claims.map((c) => queue.ack(c)));
    expect(await queue.depth()).toBe(0);
  });

  it('claim then ack: the batch is gone for good, even after its lease would have expired', async () => {
    const [a, b] = queuesOn('ack');
    await a.enqueue('1', { price: '100' }, 1_000);
    const claim = await a.claim(10, LEASE, 2_000);
    expect(claim.writes).toEqual([{ id: '1', fields: { price: '100' } }]);
    expect(claim.token).toMatch(/^replica-a:/);
    expect(await a.holds(claim, 2_500)).toBe(true);
    expect(await a.ack(claim, 2_500)).toBe(true);
    const later = await b.claim(10, LEASE, 2_000 + 10 * LEASE);
    expect(later).toMatchObject({ writes: [], requeued: 0 });
    expect(await a.depth()).toBe(0);
    expect(await a.lagMs(9_000)).toBe(0);
    expect(await keysOf('ack')).toEqual([]);
  });

  it('claim without ack: once the lease expires another consumer re-queues and claims the batch', async () => {
    const [a, b] = queuesOn('expiry');
    await a.enqueue('1', { price: '100' });
    await a.enqueue('2', { price: '200' });
    const crashed = await a.claim(10, LEASE, 10_000); // replica A dies here, before its commit
    expect(crashed.writes).toHaveLength(2);

    expect(await b.claim(10, LEASE, 10_000 + LEASE - 1)).toMatchObject({ writes: [], requeued: 0 });
    expect(await b.pending('1')).toEqual({ price: '100' }); // readers still see the claimed change

    const rescue = await b.claim(10, LEASE, 10_000 + LEASE);
    expect(rescue.requeued).toBe(2);
    expect(rescue.token).toMatch(/^replica-b:/);
    expect(rescue.writes.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: '1', fields: { price: '100' } },
      { id: '2', fields: { price: '200' } },
    ]);
    // A, had it only stalled, no longer holds the batch and its late ack leaves B's batch alone.
    expect(await a.holds(crashed, 10_000 + LEASE)).toBe(false);
    expect(await a.ack(crashed)).toBe(false);
    expect(await b.depth()).toBe(2);
    expect(await b.ack(rescue)).toBe(true);
    expect(await b.depth()).toBe(0);
    expect(await keysOf('expiry')).toEqual([]);
  });

  it('a newer pending change wins over the re-queued older one; other claimed fields come back', async () => {
    const [a, b] = queuesOn('newer');
    await a.enqueue('1', { price: '100', name: '"old"' });
    const crashed = await a.claim(10, LEASE, 20_000);
    await a.enqueue('1', { price: '200' }); // written while A's batch is in flight
    expect(await a.pending('1')).toEqual({ price: '200', name: '"old"' });

    // While A's lease lives, nobody takes the newer change: applying it before A's older batch
    // commits would let the older value land last.
    expect(await b.claim(10, LEASE, 20_000 + LEASE - 1)).toMatchObject({ writes: [] });
    expect(await b.depth()).toBe(2); // 1 waiting + 1 in flight (the same id)

    const rescue = await b.claim(10, LEASE, 20_000 + LEASE);
    expect(rescue.requeued).toBe(1);
    expect(rescue.writes).toEqual([{ id: '1', fields: { price: '200', name: '"old"' } }]);
    expect(await a.ack(crashed)).toBe(false);
    expect(await b.ack(rescue)).toBe(true);
  });

  it('releases a failed batch at once, without overwriting a newer write made after the claim', async () => {
    const [queue] = queuesOn('release');
    await queue.enqueue('1', { price: '100', name: '"old"' });
    const claim = await queue.claim(10, LEASE);
    await queue.enqueue('1', { price: '200' }); // written while the flush was failing
    await queue.release(claim);
    expect(await queue.depth()).toBe(1);
    expect(await queue.pending('1')).toEqual({ price: '200', name: '"old"' });
    const again = await queue.claim(10, LEASE);
    expect(again).toMatchObject({
      requeued: 0,
      writes: [{ id: '1', fields: { price: '200', name: '"old"' } }],
    });
    expect(await queue.ack(again)).toBe(true);
  });

  it('reports the age of the oldest unflushed write, in flight included, until the ack', async () => {
    const [queue] = queuesOn('lag');
    expect(await queue.lagMs()).toBe(0);
    await queue.enqueue('1', { price: '1' }, 1_000);
    await queue.enqueue('2', { price: '1' }, 5_000);
    expect(await queue.lagMs(6_000)).toBe(5_000);
    const claim = await queue.claim(10, LEASE, 6_000);
    expect(await queue.lagMs(6_000)).toBe(5_000);
    await queue.ack(claim);
    expect(await queue.lagMs(6_000)).toBe(0);
  });
});
