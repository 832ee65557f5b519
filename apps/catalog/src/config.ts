import {
  boolean,
  csv,
  internalAuthSecret,
  keyPrefix,
  loadConfig,
  positiveInt,
  serviceConfigShape,
  url,
  withInstanceId,
} from '@sdp/config';
import { writeStrategies } from '@sdp/cache';
import { z } from 'zod';

export const catalogConfigSchema = z.object({
  ...serviceConfigShape('catalog', 3100),
  REDIS_CACHE_URL: url(['redis']),
  // Verifies the gateway-signed identity on admin writes (PUT /products/:id).
  INTERNAL_AUTH_SECRET: internalAuthSecret(),
  CACHE_KEY_PREFIX: keyPrefix('catalog'),
  PRODUCT_CACHE_ENABLED: boolean(true),
  PRODUCT_CACHE_TTL_SECONDS: positiveInt(300),
  LIST_CACHE_TTL_SECONDS: positiveInt(30),
  /** XFetch early refresh of hot product entries (0 = off; >1 refreshes earlier). */
  PRODUCT_CACHE_EARLY_REFRESH_BETA: z.coerce.number().min(0).max(100).default(1),
  /** How long the edge (a shared cache) may serve a public product read without asking again (s-maxage). */
  EDGE_CACHE_SECONDS: positiveInt(30),
  /** The edge (nginx CDN emulator) to refresh on changes; unset: no refresh is sent (a stack without nginx). */
  EDGE_URL: url(['http', 'https']).optional(),
  /** Every regional edge to refresh on changes (comma-separated URLs), on top of EDGE_URL. */
  EDGE_URLS: csv('each edge must be an http(s) URL', (item) =>
    /^https?:\/\/[\w.-]+(:\d{1,5})?\/?$/.test(item),
  ).optional(),
  SEED_DEMO_DATA: boolean(true),
  /** Default write strategy for product writes until an admin switches it (stored in Redis). */
  PRODUCT_WRITE_STRATEGY: z.enum(writeStrategies).default('write-around'),
  /** Write-back: how often each replica claims and applies a batch of pending writes and counters. */
  WRITE_BACK_FLUSH_MS: positiveInt(1_000),
  WRITE_BACK_BATCH_SIZE: positiveInt(100),
  /**
   * Write-back: how long a claimed batch belongs to its flusher. If it has not committed and acked by
   * then (it crashed), any replica's next flush re-queues and applies it. Keep it far above a flush.
   */
  WRITE_BACK_LEASE_MS: positiveInt(30_000),
  /** Test only: the flusher waits this long between applying a batch and committing it (0 = never). */
  WRITE_BACK_TEST_PAUSE_BEFORE_COMMIT_MS: z.coerce.number().int().min(0).default(0),
});

export type CatalogConfig = z.infer<typeof catalogConfigSchema> & { INSTANCE_ID: string };

export const CATALOG_CONFIG = Symbol('CATALOG_CONFIG');

export const loadCatalogConfig = (env: NodeJS.ProcessEnv = process.env): CatalogConfig =>
  withInstanceId('catalog', loadConfig(catalogConfigSchema, env));
