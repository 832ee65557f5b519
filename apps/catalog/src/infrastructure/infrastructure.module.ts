import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { migrateSchema, createServiceDataSource } from '@sdp/database';
import { createKafka, ensureTopics, EventPublisher } from '@sdp/messaging';
import { ReadinessService } from '@sdp/observability';
import { createRedis } from '@sdp/redis';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { CATALOG_CONFIG, type CatalogConfig } from '../config';
import { catalogMigrations } from '../db/migrations';
import { seedCatalog } from '../db/seed';
import { catalogTopics } from '../events/product-events';
import { Category } from '../products/category.entity';
import { Product } from '../products/product.entity';
import { CACHE_REDIS, KAFKA } from './tokens';

/**
 * Owns the catalog's connections: Postgres (migrated, and seeded with demo data on request), the
 * Redis cache node and Kafka. Registers a readiness check for each and closes them on shutdown.
 */
@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [CATALOG_CONFIG],
      useFactory: async (config: CatalogConfig): Promise<DataSource> => {
        const dataSource = createServiceDataSource({
          url: config.DATABASE_URL,
          schema: config.DB_SCHEMA,
          entities: [Product, Category],
          migrations: catalogMigrations,
          applicationName: config.INSTANCE_ID,
          poolSize: config.DB_POOL_SIZE,
        });
        await dataSource.initialize();
        await migrateSchema(dataSource, config.DB_SCHEMA);
        if (config.SEED_DEMO_DATA) await seedCatalog(dataSource, config.DB_SCHEMA);
        return dataSource;
      },
    },
    {
      provide: CACHE_REDIS,
      inject: [CATALOG_CONFIG],
      useFactory: (config: CatalogConfig): Redis => {
        const logger = new Logger('RedisCache');
        let lastLogged = 0;
        return createRedis({
          url: config.REDIS_CACHE_URL,
          name: config.INSTANCE_ID,
          role: 'cache',
          // At most one line per 5 s while the node is down: reads carry on without it.
          onError: (error) => {
            if (Date.now() - lastLogged < 5_000) return;
            lastLogged = Date.now();
            logger.warn(`cache node unavailable, reads go to Postgres: ${error.message}`);
          },
        });
      },
    },
    {
      provide: KAFKA,
      inject: [CATALOG_CONFIG],
      useFactory: (config: CatalogConfig): Kafka =>
        createKafka({ clientId: config.INSTANCE_ID, brokers: config.KAFKA_BROKERS }),
    },
    {
      provide: EventPublisher,
      inject: [KAFKA],
      useFactory: async (kafka: Kafka): Promise<EventPublisher> => {
        const admin = kafka.admin();
        await admin.connect();
        try {
          await ensureTopics(admin, catalogTopics, 3);
        } finally {
          await admin.disconnect();
        }
        const publisher = new EventPublisher(kafka);
        await publisher.connect();
        return publisher;
      },
    },
  ],
  exports: [DataSource, CACHE_REDIS, KAFKA, EventPublisher],
})
export class InfrastructureModule implements OnModuleInit, OnApplicationShutdown {
  private readonly kafkaAdmin;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CACHE_REDIS) private readonly redis: Redis,
    @Inject(KAFKA) kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly readiness: ReadinessService,
  ) {
    this.kafkaAdmin = kafka.admin();
  }

  async onModuleInit(): Promise<void> {
    await this.kafkaAdmin.connect();
    this.readiness.register('postgres', () => this.dataSource.query('SELECT 1'));
    this.readiness.register('redis-cache', () => this.redis.ping());
    this.readiness.register('kafka', () => this.kafkaAdmin.describeCluster());
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.publisher.disconnect(), this.kafkaAdmin.disconnect()]);
    this.redis.disconnect();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
