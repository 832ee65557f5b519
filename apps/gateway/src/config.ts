import {
  boolean,
  internalAuthSecret,
  keyPrefix,
  loadConfig,
  positiveInt,
  serviceConfigShape,
  url,
  withInstanceId,
} from '@sdp/config';
import { z } from 'zod';

export const gatewayConfigSchema = z.object({
  ...serviceConfigShape('gateway', 3000),
  /** The internal load balancer; upstream service X answers at `${UPSTREAM_BASE_URL}/X`. */
  UPSTREAM_BASE_URL: url(['http', 'https']).transform((value) => value.replace(/\/+$/, '')),
  /** Rate-limit counters live here so both gateway replicas share them. */
  REDIS_CACHE_URL: url(['redis']),
  RATE_LIMIT_KEY_PREFIX: keyPrefix('gateway:rl'),
  /** Signs the identity headers the services trust (libs/identity). */
  INTERNAL_AUTH_SECRET: internalAuthSecret(),
  JWT_SECRET: z
    .string({ message: 'is required' })
    .min(32, 'must be at least 32 characters (generate one with `openssl rand -hex 32`)'),
  JWT_TTL_SECONDS: positiveInt(900),
  /** Password of every seeded demo user (alice@, bob@, admin@, customer001..600@example.com). */
  DEMO_PASSWORD: z.string({ message: 'is required' }).min(8, 'must be at least 8 characters'),
  SEED_DEMO_USERS: boolean(true),
  /** Limits are per key (user id, else client IP) per window; the window is 60 s unless a test shortens it. */
  RATE_LIMIT_PER_MINUTE: positiveInt(300),
  CHECKOUT_RATE_LIMIT_PER_MINUTE: positiveInt(20),
  AUTH_RATE_LIMIT_PER_MINUTE: positiveInt(30),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt(60),
  /** How many proxies in front of us append to X-Forwarded-For (the edge: 1). 0 = use the socket address. */
  TRUSTED_PROXY_HOPS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(0, 'must be ≥ 0')
    .max(5, 'must be ≤ 5')
    .default(1),
  /** Time to the upstream's response headers (and between body chunks), per route class. */
  UPSTREAM_TIMEOUT_MS: positiveInt(3_000),
  CHECKOUT_TIMEOUT_MS: positiveInt(10_000),
  /** Circuit breaker (opossum), one per upstream service. */
  BREAKER_ERROR_THRESHOLD_PERCENT: positiveInt(50).refine((v) => v <= 100, 'must be ≤ 100'),
  BREAKER_VOLUME_THRESHOLD: positiveInt(10),
  BREAKER_RESET_TIMEOUT_MS: positiveInt(10_000),
  BREAKER_ROLLING_WINDOW_MS: positiveInt(10_000),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema> & { INSTANCE_ID: string };

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig =>
  withInstanceId('gateway', loadConfig(gatewayConfigSchema, env));
