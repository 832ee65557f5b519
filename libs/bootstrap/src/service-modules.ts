import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule, type DatabaseModuleOptions } from '@sdp/database';
import { INTERNAL_AUTH_SECRET } from '@sdp/identity';
import { KafkaModule, type KafkaModuleOptions } from '@sdp/messaging';
import { ObservabilityModule } from '@sdp/observability';
import { CacheRedisModule } from '@sdp/redis';

// The modules every service wires from its validated config (see serviceConfigShape in
// @sdp/config), so each app.module.ts lists only what makes the service itself.

export interface ServiceBaseConfig {
  INSTANCE_ID: string;
  LOG_LEVEL: string;
  DATABASE_URL: string;
  DB_SCHEMA: string;
  DB_POOL_SIZE: number;
  DB_POOL_WAIT_MS: number;
  DB_MIGRATE: boolean;
  KAFKA_BROKERS: string[];
  KAFKA_TOPIC_PREFIX: string;
  INTERNAL_AUTH_SECRET?: string;
}

/** Logs, metrics, health and readiness, named after the service and this replica. */
export const observabilityFor = (service: string, config: ServiceBaseConfig): DynamicModule =>
  ObservabilityModule.forRoot({ service, instanceId: config.INSTANCE_ID, logLevel: config.LOG_LEVEL });

/** Makes the validated config injectable everywhere under `token`, and the identity secret when it has one. */
@Module({})
class ServiceConfigModule {}

export function configFor(token: symbol, config: ServiceBaseConfig): DynamicModule {
  const secret = config.INTERNAL_AUTH_SECRET;
  const providers = [
    { provide: token, useValue: config },
    // The identity guard verifies gateway signatures with this secret.
    ...(secret ? [{ provide: INTERNAL_AUTH_SECRET, useValue: secret }] : []),
  ];
  return {
    module: ServiceConfigModule,
    global: true,
    providers,
    exports: providers.map((p) => p.provide),
  };
}

/** The service's Postgres schema: migrations (unless DB_MIGRATE=false), entities, optional seeding. */
export const databaseFor = (
  config: ServiceBaseConfig,
  options: Pick<DatabaseModuleOptions, 'migrations' | 'afterMigrate'> &
    Partial<Pick<DatabaseModuleOptions, 'entities'>>,
): DynamicModule =>
  DatabaseModule.forRoot({
    url: config.DATABASE_URL,
    schema: config.DB_SCHEMA,
    entities: options.entities ?? [],
    migrations: options.migrations,
    applicationName: config.INSTANCE_ID,
    poolSize: config.DB_POOL_SIZE,
    poolWaitMs: config.DB_POOL_WAIT_MS,
    migrate: config.DB_MIGRATE,
    afterMigrate: options.afterMigrate,
  });

/** The Redis cache node's client (CACHE_REDIS). */
export const cacheRedisFor = (config: ServiceBaseConfig & { REDIS_CACHE_URL: string }): DynamicModule =>
  CacheRedisModule.forRoot({ url: config.REDIS_CACHE_URL, name: config.INSTANCE_ID });

/**
 * Kafka with the event topics this service publishes or consumes (created at start, with their
 * DLQs); its @ConsumeEvents handlers start once the app is up.
 */
export const kafkaFor = (
  config: ServiceBaseConfig,
  topics: readonly string[],
  options: Pick<KafkaModuleOptions, 'groupNames'> = {},
): DynamicModule =>
  KafkaModule.forRoot({
    clientId: config.INSTANCE_ID,
    brokers: config.KAFKA_BROKERS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    topics,
    ...options,
  });
