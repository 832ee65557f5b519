// The single source of truth for where the local infrastructure listens. The native runner
// (infra/local), the test helpers and the services' default env all read it from here.
// Ports are the project's own so they never collide with a machine's 5432/6379/9092.

export const LOOPBACK = '127.0.0.1';

export const postgres = {
  host: LOOPBACK,
  port: 55432,
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
  { name: 'redis-cache', role: 'cache', port: 56379 },
  { name: 'redis-lock-1', role: 'lock', port: 56380 },
  { name: 'redis-lock-2', role: 'lock', port: 56381 },
  { name: 'redis-lock-3', role: 'lock', port: 56382 },
];

export const kafka = {
  version: '4.1.1',
  host: LOOPBACK,
  brokerPort: 59092,
  controllerPort: 59093,
  /** Partitions for every project topic: more than one so keyed ordering actually matters. */
  defaultPartitions: 3,
} as const;

/** Topics the project creates itself (broker auto-create is off). */
export const topics: readonly string[] = ['product.updated', 'product.updated.dlq'];

export const postgresUrl = (): string =>
  `postgres://${postgres.user}:${postgres.password}@${postgres.host}:${postgres.port}/${postgres.database}`;

export const redisUrl = (node: RedisNode): string => `redis://${LOOPBACK}:${node.port}`;

export const kafkaBroker = (): string => `${kafka.host}:${kafka.brokerPort}`;
