import { createRedis, waitForRedis } from '@sdp/redis';
import { testInfraEnv, uniqueName } from '@sdp/testing';
import type { Redis } from 'ioredis';
import { Leaderboard } from './leaderboard';

describe(`${Leaderboard.name} (real Redis)`, () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const board = (options = {}) => {
    const prefix = uniqueName('lb_int');
    prefixes.push(prefix);
    return new Leaderboard(redis, prefix, options);
  };
  const minute = 60_000;
  const t0 = 1_800_000_000_000; // a fixed clock: bucket maths without waiting

  beforeAll(async () => {
    redis = createRedis({ url: testInfraEnv().REDIS_CACHE_URL, name: 'lb-int', role: 'cache' });
    await waitForRedis(redis);
  });

  afterAll(async () => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
    }
    redis.disconnect();
  });

  it('ranks members by summed score, best first, and counts a redelivered event once', async () => {
    const lb = board();
    expect(
      await lb.record(
        'e1',
        [
          { member: 'A', score: 2 },
          { member: 'B', score: 1 },
        ],
        t0,
        t0,
      ),
    ).toBe(true);
    expect(await lb.record('e2', [{ member: 'B', score: 5 }], t0, t0)).toBe(true);
    expect(await lb.record('e2', [{ member: 'B', score: 5 }], t0, t0)).toBe(false); // redelivery
    expect(await lb.record('e3', [{ member: 'C', score: 1 }], t0, t0)).toBe(true);
    await expect(lb.top(2)).resolves.toEqual([
      { member: 'B', score: 6 },
      { member: 'A', score: 2 },
    ]);
  });

  it('windows: sums the last 60 one-minute buckets and forgets what slid out', async () => {
    const lb = board();
    await lb.record('old', [{ member: 'OLD', score: 100 }], t0, t0);
    await lb.record('mid', [{ member: 'MID', score: 3 }], t0 + 30 * minute, t0 + 30 * minute);
    await lb.record(
      'new',
      [
        { member: 'MID', score: 2 },
        { member: 'NEW', score: 4 },
      ],
      t0 + 59 * minute,
      t0 + 59 * minute,
    );
    // At t0+59min the window still covers t0's bucket...
    await expect(lb.topInWindow(3, t0 + 59 * minute)).resolves.toEqual([
      { member: 'OLD', score: 100 },
      { member: 'MID', score: 5 },
      { member: 'NEW', score: 4 },
    ]);
    // ...one minute later it has slid past it; all-time still has everything.
    await expect(lb.topInWindow(3, t0 + 60 * minute)).resolves.toEqual([
      { member: 'MID', score: 5 },
      { member: 'NEW', score: 4 },
    ]);
    expect((await lb.top(1))[0]).toEqual({ member: 'OLD', score: 100 });
  });

  it('gives each bucket an expiry that outlives the window, and none for an event already outside it', async () => {
    const lb = board();
    await lb.record('now', [{ member: 'X', score: 1 }], t0, t0);
    const ttl = await redis.ttl(`${prefixes.at(-1)}:b:${lb.bucketOf(t0)}`);
    expect(ttl).toBeGreaterThan(59 * 60);
    expect(ttl).toBeLessThanOrEqual(61 * 60 + 60);
    await lb.record('ancient', [{ member: 'Y', score: 1 }], t0 - 120 * minute, t0);
    expect(await redis.exists(`${prefixes.at(-1)}:b:${lb.bucketOf(t0 - 120 * minute)}`)).toBe(0);
    expect(await lb.topInWindow(5, t0)).toEqual([{ member: 'X', score: 1 }]);
  });
});
