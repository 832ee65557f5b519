import {
  boolean,
  csv,
  internalAuthSecret,
  keyPrefix,
  loadConfig,
  lockConfigShape,
  positiveInt,
  requireLockBackendSettings,
  serviceConfigShape,
  withInstanceId,
} from '@sdp/config';
import { consumerGroups } from '@sdp/topology';
import { z } from 'zod';
import { reservationStrategies } from './reservations/strategies/hold-strategy';

export const inventoryConfigSchema = z
  .object({
    ...serviceConfigShape('inventory', 3200),
    /** LOCK_BACKEND (redlock or zookeeper), ZOOKEEPER_URL, ZOOKEEPER_SESSION_TIMEOUT_MS: @sdp/locks. */
    ...lockConfigShape(),
    /** The independent Redis lock nodes (three for a 2-of-3 Redlock quorum); required with either backend. */
    REDIS_LOCK_URLS: csv('each lock node must be a redis:// URL', (item) => /^redis:\/\/\S+$/.test(item)),
    LOCK_KEY_PREFIX: keyPrefix('lock:'),
    INTERNAL_AUTH_SECRET: internalAuthSecret(),
    LOCK_TTL_MS: positiveInt(2_000).refine((ms) => ms >= 200, 'must be at least 200'),
    /** Retries per round while another request holds a SKU (contention); a lost quorum never retries. */
    LOCK_RETRY_COUNT: z.coerce.number().int('must be an integer').min(0, 'must be >= 0').default(2),
    /** How long a reservation may queue for busy SKU locks in all, re-checking stock between rounds. */
    LOCK_WAIT_MS: positiveInt(5_000),
    LOCK_RETRY_DELAY_MS: positiveInt(100),
    RESERVATION_TTL_SECONDS: positiveInt(900),
    /** How a hold is arbitrated (docs/distributed-locks.md, "When do you need a distributed lock at all?"). */
    RESERVATION_STRATEGY: z.enum(reservationStrategies).default('redlock'),
    /** redis-counter only: the node that counts available units (default: the first lock node, no eviction). */
    STOCK_COUNTER_REDIS_URL: z
      .string()
      .regex(/^redis:\/\/\S+$/, 'must be a redis:// URL')
      .optional(),
    /** redis-counter only: how long a counter trusts itself before reloading from Postgres. */
    STOCK_COUNTER_TTL_MS: positiveInt(2_000),
    SWEEPER_INTERVAL_MS: positiveInt(5_000),
    /** Renames the order-events consumer group (named in @sdp/topology): a test gives one replica a group of its own. */
    KAFKA_CONSUMER_GROUP: z
      .string()
      .regex(/^[\w.-]+$/, 'must be letters, digits, ".", "_" or "-"')
      .default(consumerGroups.inventory.orderEvents),
    SEED_DEMO_DATA: boolean(true),
  })
  .superRefine(requireLockBackendSettings);

export type InventoryConfig = z.infer<typeof inventoryConfigSchema> & { INSTANCE_ID: string };

export const INVENTORY_CONFIG = Symbol('INVENTORY_CONFIG');

export const loadInventoryConfig = (env: NodeJS.ProcessEnv = process.env): InventoryConfig =>
  withInstanceId('inventory', loadConfig(inventoryConfigSchema, env));
