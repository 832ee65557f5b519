import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { asUser, TEST_INTERNAL_AUTH_SECRET, testInfraEnv } from '@sdp/testing';
import { createInventoryApp } from '../../src/app';
import { loadInventoryConfig } from '../../src/config';

/** Where a test's replicas live: a private schema, topic prefix, consumer group and lock key prefix. */
export interface InventoryTestScope {
  schema: string;
  topicPrefix: string;
  group: string;
  lockPrefix: string;
}

/**
 * One inventory replica in-process against the real Postgres, Redis lock nodes and Kafka started by
 * `pnpm infra:up`. Sweeper ticks are left to the test; lock retries are generous (contention tests).
 */
export async function startInventoryReplica(
  scope: InventoryTestScope,
  index: number,
  overrides: Record<string, string> = {},
): Promise<NestFastifyApplication> {
  const config = loadInventoryConfig({
    ...testInfraEnv(),
    DB_SCHEMA: scope.schema,
    KAFKA_TOPIC_PREFIX: scope.topicPrefix,
    KAFKA_CONSUMER_GROUP: scope.group,
    LOCK_KEY_PREFIX: scope.lockPrefix,
    INTERNAL_AUTH_SECRET: TEST_INTERNAL_AUTH_SECRET,
    INSTANCE_ID: `inventory-int-${index}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DB_POOL_SIZE: '8',
    LOCK_RETRY_COUNT: '200',
    LOCK_RETRY_DELAY_MS: '30',
    SWEEPER_INTERVAL_MS: '600000', // ticks are triggered by the tests
    ...overrides,
  });
  const app = await createInventoryApp(config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** Sets a SKU's on-hand through the admin endpoint of `replica`, expecting 200. */
export async function setStockOn(
  replica: NestFastifyApplication,
  sku: string,
  onHand: number,
): Promise<void> {
  const res = await replica.inject({
    method: 'PUT',
    url: `/stock/${sku}`,
    payload: { onHand },
    headers: asUser('ops', 'admin'),
  });
  expect(res.statusCode).toBe(200);
}

/**
 * `count` two-line carts over SKUs `a` and `b`, taken alternately as [a, b] on replica 1 and
 * [b, a] on replica 0: two replicas locking the same rows in opposite orders, what would deadlock
 * without a fixed lock order. One unit of each line.
 */
export function crossedCarts(a: string, b: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    replica: i % 2,
    items: (i % 2 ? [a, b] : [b, a]).map((sku) => ({ sku, quantity: 1 })),
  }));
}
