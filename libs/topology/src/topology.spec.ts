import {
  kafka,
  localInfraEnv,
  postgres,
  proxyPort,
  redisNodes,
  services,
  servicePorts,
  zookeeper,
} from './index';

describe('topology', () => {
  it('gives every server and replica its own port, away from the standard ones', () => {
    const ports = [
      postgres.port,
      kafka.brokerPort,
      kafka.controllerPort,
      zookeeper.clientPort,
      ...redisNodes.map((n) => n.port),
      ...services.flatMap(servicePorts),
      proxyPort('edge'),
      proxyPort('lb'),
    ];
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports.some((p) => [5432, 6379, 9092, 2181].includes(p))).toBe(false);
  });

  it('has three independent lock nodes for Redlock', () => {
    expect(redisNodes.filter((n) => n.role === 'lock')).toHaveLength(3);
  });

  it('builds the services env from the same ports', () => {
    const env = localInfraEnv();
    expect(env.DATABASE_URL).toContain(`:${postgres.port}/`);
    expect(env.REDIS_LOCK_URLS.split(',')).toHaveLength(3);
    expect(env.KAFKA_BROKERS).toBe(`127.0.0.1:${kafka.brokerPort}`);
    expect(env.ZOOKEEPER_URL).toBe(`127.0.0.1:${zookeeper.clientPort}`);
  });
});

describe('portOffset', () => {
  it('defaults to 0 and accepts a small integer', async () => {
    const { portOffset } = await import('./infra');
    expect(portOffset({})).toBe(0);
    expect(portOffset({ SDP_PORT_OFFSET: '1000' })).toBe(1000);
  });

  it('names the variable when it is not a valid offset', async () => {
    const { portOffset } = await import('./infra');
    for (const bad of ['-1', 'abc', '9000', '1.5']) {
      expect(() => portOffset({ SDP_PORT_OFFSET: bad })).toThrow(/SDP_PORT_OFFSET: must be an integer/);
    }
  });
});

describe('service env', () => {
  it('sends calls between services through the load balancer', async () => {
    const { localServiceEnv, portOffset, serviceByName } = await import('./index');
    const env = localServiceEnv(serviceByName('orders'));
    const lb = 8081 + portOffset();
    expect(env.INVENTORY_URL).toBe(`http://127.0.0.1:${lb}/inventory`);
    expect(env.CATALOG_URL).toBe(`http://127.0.0.1:${lb}/catalog`);
    expect(env.DB_SCHEMA).toBe('orders');
    expect(localServiceEnv(serviceByName('gateway')).UPSTREAM_BASE_URL).toBe(`http://127.0.0.1:${lb}`);
  });

  it('creates a dead-letter topic for every event topic', async () => {
    const { eventTopics, topics } = await import('./index');
    for (const topic of eventTopics) expect(topics).toEqual(expect.arrayContaining([topic, `${topic}.dlq`]));
  });
});

describe('consumer groups', () => {
  it('are named once, each a plain name the messaging library can prefix', async () => {
    const { consumerGroups } = await import('./index');
    const names = Object.values(consumerGroups).flatMap((groups) => Object.values(groups) as string[]);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][\w.-]*$/);
    // The production names: renaming one starts a new group that re-reads its topics from the beginning.
    expect(names).toEqual(
      expect.arrayContaining(['orders', 'orders.inventory-events', 'inventory', 'payments', 'notifications']),
    );
  });
});
