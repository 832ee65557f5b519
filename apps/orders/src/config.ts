import {
  internalAuthSecret,
  keyPrefix,
  loadConfig,
  positiveInt,
  serviceConfigShape,
  url,
  withInstanceId,
} from '@sdp/config';
import { z } from 'zod';

/**
 * Where a dependency answers: the load balancer's path for it (it spreads calls over the replicas
 * and retries a refused connection on another), not a replica.
 */
const baseUrl = () =>
  z
    .string({ message: 'is required' })
    .transform((value) => value.trim().replace(/\/+$/, ''))
    .refine((value) => /^https?:\/\/[^\s/]+(\/[\w.-]+)*$/.test(value), {
      message: 'must be a base URL such as http://127.0.0.1:8081/inventory',
    });

export const ordersConfigSchema = z.object({
  ...serviceConfigShape('orders', 3300),
  REDIS_CACHE_URL: url(['redis']),
  CART_KEY_PREFIX: keyPrefix('cart'),
  CART_TTL_SECONDS: positiveInt(7 * 24 * 3600),
  INVENTORY_URL: baseUrl(),
  CATALOG_URL: baseUrl(),
  // Per call to inventory or catalog; longer than inventory's LOCK_WAIT_MS (5 s): in a flash sale a reservation may queue that long.
  UPSTREAM_TIMEOUT_MS: positiveInt(8_000),
  INTERNAL_AUTH_SECRET: internalAuthSecret(),
  IDEMPOTENCY_KEY_TTL_HOURS: positiveInt(24),
  /** An in_progress key older than this is taken as abandoned (its replica died mid-checkout). */
  IDEMPOTENCY_STALE_SECONDS: positiveInt(60),
});

export type OrdersConfig = z.infer<typeof ordersConfigSchema> & { INSTANCE_ID: string };

export const ORDERS_CONFIG = Symbol('ORDERS_CONFIG');

export const loadOrdersConfig = (env: NodeJS.ProcessEnv = process.env): OrdersConfig =>
  withInstanceId('orders', loadConfig(ordersConfigSchema, env));
