import { boolean, csv, hostPort, identifier, loadConfig, port, positiveInt, url } from '@sdp/config';
import { z } from 'zod';

export const catalogConfigSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: port(3100),
  INSTANCE_ID: z
    .string()
    .regex(/^[\w.-]+$/, 'must be letters, digits, ".", "_" or "-"')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: url(['postgres', 'postgresql']),
  DB_SCHEMA: identifier('catalog'),
  DB_POOL_SIZE: positiveInt(10),
  REDIS_CACHE_URL: url(['redis']),
  KAFKA_BROKERS: csv('each broker must be host:port', hostPort),
  CACHE_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]+$/, 'must be a plain Redis key prefix')
    .default('catalog'),
  PRODUCT_CACHE_ENABLED: boolean(true),
  PRODUCT_CACHE_TTL_SECONDS: positiveInt(300),
  LIST_CACHE_TTL_SECONDS: positiveInt(30),
  SEED_DEMO_DATA: boolean(true),
});

export type CatalogConfig = z.infer<typeof catalogConfigSchema> & { INSTANCE_ID: string };

export const CATALOG_CONFIG = Symbol('CATALOG_CONFIG');

export function loadCatalogConfig(env: NodeJS.ProcessEnv = process.env): CatalogConfig {
  const config = loadConfig(catalogConfigSchema, env);
  return { ...config, INSTANCE_ID: config.INSTANCE_ID ?? `catalog-${config.PORT}` };
}
