import { createRedis, waitForRedis } from '@sdp/redis';
import { testInfraEnv, uniqueName } from '@sdp/testing';
import { CounterBuffer } from './write-strategy';

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
