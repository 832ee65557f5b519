import { z } from 'zod';
import { boolean, csv, hostPort, identifier, port, positiveInt, url } from './fields';

/** What every service reads. Spread into a service's own schema: `z.object({ ...serviceConfigShape('x', 3100), ... })`. */
export const serviceConfigShape = (service: string, defaultPort: number) => ({
  HOST: z.string().default('127.0.0.1'),
  PORT: port(defaultPort),
  INSTANCE_ID: z
    .string()
    .regex(/^[\w.-]+$/, 'must be letters, digits, ".", "_" or "-"')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: url(['postgres', 'postgresql']),
  DB_SCHEMA: identifier(service),
  DB_POOL_SIZE: positiveInt(10),
  /**
   * How long a query may wait for a pooled connection before failing (503). A burst (a flash sale's
   * 500 buyers at once) queues for seconds on a small machine; that is load, not an outage.
   */
  DB_POOL_WAIT_MS: positiveInt(10_000),
  /**
   * Migrate (and seed) at boot, under an advisory lock. Compose sets it to false on the replicas and
   * runs one `--migrate-only` job per service first, so replicas never race a schema change.
   */
  DB_MIGRATE: boolean(true),
  KAFKA_BROKERS: csv('each broker must be host:port', hostPort),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[\w.-]*$/, 'must be letters, digits, ".", "_" or "-"')
    .default(''),
});

/** The shared secret services use to verify the gateway-signed identity. */
export const internalAuthSecret = () =>
  z
    .string({ message: 'is required' })
    .min(32, 'must be at least 32 characters (generate one with `openssl rand -hex 32`)');

/** INSTANCE_ID defaults to `<service>-<port>`. */
export const withInstanceId = <C extends { INSTANCE_ID?: string; PORT: number }>(
  service: string,
  config: C,
): C & { INSTANCE_ID: string } => ({
  ...config,
  INSTANCE_ID: config.INSTANCE_ID ?? `${service}-${config.PORT}`,
});
