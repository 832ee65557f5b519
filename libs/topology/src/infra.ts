// The single source of truth for where the local infrastructure listens. The native runner
// (infra/local), the test helpers and the services' default env all read it from here.
// Ports are the project's own so they never collide with a machine's 5432/6379/9092.

export const LOOPBACK = '127.0.0.1';

/**
 * SDP_PORT_OFFSET shifts every port (infra and services) so a second copy of the stack can run
 * beside the first, e.g. a clean clone under test while the usual stack keeps running.
 */
export function portOffset(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SDP_PORT_OFFSET ?? '0';
  const offset = Number(raw);
  if (!/^\d{1,4}$/.test(raw) || offset > 5_000) {
    throw new Error(`SDP_PORT_OFFSET: must be an integer from 0 to 5000 (got "${raw}")`);
  }
  return offset;
}

const OFFSET = portOffset();

export const postgres = {
  host: LOOPBACK,
  port: 55432 + OFFSET,
  database: 'sdp',
  user: 'sdp',
  // Local-only development password; services read the real one from DATABASE_URL.
  password: 'sdp_local',
} as const;

export type RedisRole = 'cache' | 'lock';

export interface RedisNode {
  name: string;
  role: RedisRole;
  port: number;
}

/** One cache node and three independent lock nodes (Redlock needs a majority of N independent nodes). */
export const redisNodes: readonly RedisNode[] = [
  { name: 'redis-cache', role: 'cache', port: 56379 + OFFSET },
  { name: 'redis-lock-1', role: 'lock', port: 56380 + OFFSET },
  { name: 'redis-lock-2', role: 'lock', port: 56381 + OFFSET },
  { name: 'redis-lock-3', role: 'lock', port: 56382 + OFFSET },
];

export const kafka = {
  version: '4.1.1',
  host: LOOPBACK,
  brokerPort: 59092 + OFFSET,
  controllerPort: 59093 + OFFSET,
  /** Partitions for every project topic: more than one so keyed ordering actually matters. */
  defaultPartitions: 3,
} as const;

/**
 * One ZooKeeper server (standalone), the second lock backend beside Redlock (LOCK_BACKEND=zookeeper).
 * 3.9.5 because 3.9.6's dependencies are not all on Maven Central. The admin server (Jetty, :8080
 * by default) is turned off: nothing here needs it, and 8080 is the edge's port.
 */
export const zookeeper = {
  version: '3.9.5',
  host: LOOPBACK,
  clientPort: 52181 + OFFSET,
  /** tickTime: sessions may be as short as 2 ticks (1 s), which the lock tests use. */
  tickTimeMs: 500,
} as const;

/** Event topics; each event type is published on the topic of the same name, keyed by its aggregate id. */
export const eventTopics = [
  'product.updated',
  'order.placed',
  'payment.succeeded',
  'payment.failed',
  'order.confirmed',
  'order.cancelled',
  'order.unfulfillable',
  'payment.refunded',
  'stock.changed',
  'delivery.assigned',
  'delivery.delivered',
  'delivery.cancelled',
  'auction.closed',
] as const;

export type EventTopic = (typeof eventTopics)[number];

/** Topics the project creates itself (broker auto-create is off): every event topic and its `.dlq`. */
export const topics: readonly string[] = eventTopics.flatMap((topic) => [topic, `${topic}.dlq`]);

export const postgresUrl = (): string =>
  `postgres://${postgres.user}:${postgres.password}@${postgres.host}:${postgres.port}/${postgres.database}`;

export const redisUrl = (node: RedisNode): string => `redis://${LOOPBACK}:${node.port}`;

export const kafkaBroker = (): string => `${kafka.host}:${kafka.brokerPort}`;

/** A ZooKeeper connection string (host:port[,host:port...]), what ZOOKEEPER_URL holds. */
export const zookeeperUrl = (): string => `${zookeeper.host}:${zookeeper.clientPort}`;
