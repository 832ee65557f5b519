import { redisNodes, redisUrl } from '@sdp/topology';
import { createRedis, waitForRedis } from './connect';

describe('createRedis (real servers)', () => {
  it('connects to the cache node and every lock node', async () => {
    const clients = redisNodes.map((node) =>
      createRedis({ url: redisUrl(node), name: `int-${node.name}`, role: node.role }),
    );
    try {
      await Promise.all(clients.map((c) => waitForRedis(c)));
      const names = await Promise.all(clients.map((c) => c.client('GETNAME')));
      expect(names).toEqual(redisNodes.map((n) => `int-${n.name}`));
    } finally {
      clients.forEach((c) => c.disconnect());
    }
  });

  it('rejects commands at once when the server is unreachable, instead of hanging', async () => {
    const client = createRedis({ url: 'redis://127.0.0.1:1', name: 'dead', role: 'cache' });
    try {
      const started = Date.now();
      await expect(client.get('k')).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      client.disconnect();
    }
  });
});
