import { reconnectDelay, redisOptions } from './connect';

describe('redis connection options', () => {
  it('backs off exponentially and caps the reconnect delay at 2 s', () => {
    expect([0, 1, 2, 3].map(reconnectDelay)).toEqual([50, 100, 200, 400]);
    expect(reconnectDelay(20)).toBe(2_000);
  });

  it('fails fast instead of queueing commands while disconnected', () => {
    for (const role of ['cache', 'lock'] as const) {
      const options = redisOptions({ url: 'redis://127.0.0.1:1', name: 'x', role });
      expect(options.enableOfflineQueue).toBe(false);
      expect(options.maxRetriesPerRequest).toBe(0);
    }
    expect(redisOptions({ url: '', name: 'c', role: 'cache' }).commandTimeout).toBeLessThanOrEqual(500);
  });
});
