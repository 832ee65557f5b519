import { redisNodes, services } from '@sdp/topology';
import { dependencyNodes, diagramShape } from './diagram';
import { groupLag, parseRedisInfo, redisFigures } from './server-probes';

describe(diagramShape.name, () => {
  it('has a box for every proxy, service and server of the topology', () => {
    const { nodes, replicaIds } = diagramShape();
    const ids = nodes.map((n) => n.id);
    expect(ids).toEqual(
      expect.arrayContaining(['edge', 'lb', 'kafka', 'postgres', ...redisNodes.map((n) => n.name)]),
    );
    for (const spec of services) {
      expect(ids).toContain(spec.name);
      expect(replicaIds[spec.name]).toHaveLength(spec.replicas);
    }
    for (const node of nodes) {
      expect(node.doc).toMatch(/^docs\/[\w-]+\.md$/);
      expect(node.code.length).toBeGreaterThan(0);
    }
  });

  it('draws the request path and, once known, each service’s servers from its readiness checks', () => {
    const { edges } = diagramShape(services, { inventory: ['postgres', 'redis-locks', 'kafka'] });
    expect(edges).toEqual(
      expect.arrayContaining([
        { from: 'edge', to: 'gateway' },
        { from: 'gateway', to: 'lb' },
        { from: 'lb', to: 'catalog' },
        { from: 'inventory', to: 'postgres' },
        { from: 'inventory', to: 'redis-lock-1' },
        { from: 'inventory', to: 'redis-lock-3' },
        { from: 'inventory', to: 'kafka' },
      ]),
    );
    expect(edges).not.toContainEqual({ from: 'lb', to: 'gateway' });
    expect(edges.filter((e) => e.from === 'catalog')).toEqual([]);
    expect(dependencyNodes('upstream-lb')).toEqual([]);
  });
});

describe('server readings', () => {
  it('reads Redis INFO into the cache node’s hit ratio, memory and keys', () => {
    const info = parseRedisInfo(
      '# Stats\r\nkeyspace_hits:30\r\nkeyspace_misses:10\r\ninstantaneous_ops_per_sec:12\r\n# Memory\r\nused_memory_human:1.50M\r\n# Keyspace\r\ndb0:keys=7,expires=2,avg_ttl=0\r\n',
    );
    const figures = Object.fromEntries(redisFigures('cache', info).map((f) => [f.label, f.value]));
    expect(figures).toEqual({ 'hit ratio': '75.0 %', memory: '1.50M', 'ops/s': '12', keys: '7' });
  });

  it('computes a consumer group’s lag from committed offsets and log ends', () => {
    const ends = new Map([
      [
        't',
        new Map([
          [0, 10],
          [1, 5],
        ]),
      ],
    ]);
    expect(
      groupLag(
        [
          {
            topic: 't',
            partitions: [
              { partition: 0, offset: '7' },
              { partition: 1, offset: '-1' },
            ],
          },
        ],
        ends,
      ),
    ).toBe(3);
  });
});
