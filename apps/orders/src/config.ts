import {
  internalAuthSecret,
  loadConfig,
  positiveInt,
  serviceConfigShape,
  url,
  withInstanceId,
} from '@sdp/config';
import { z } from 'zod';

/** Comma-separated base URLs of every replica of a dependency (until the load balancer exists). */
const baseUrls = () =>
  z
    .string({ message: 'is required' })
    .transform((value) =>
      value
        .split(',')
        .map((s) => s.trim().replace(/\/+$/, ''))
        .filter(Boolean),
    )
    .refine((items) => items.length > 0, { message: 'must list at least one URL' })
    .refine((items) => items.every((item) => /^https?:\/\/[^\s/]+(\/[\w.-]+)*$/.test(item)), {
      message: 'each item must be a base URL such as http://127.0.0.1:8081/inventory',
    });

export const ordersConfigSchema = z.object({
  ...serviceConfigShape('orders', 3300),
  REDIS_CACHE_URL: url(['redis']),
  CART_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]+$/, 'must be a plain Redis key prefix')
    .default('cart'),
  CART_TTL_SECONDS: positiveInt(7 * 24 * 3600),
  INVENTORY_URLS: baseUrls(),
  CATALOG_URLS: baseUrls(),
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
