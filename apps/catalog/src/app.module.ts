import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@sdp/database';
import { INTERNAL_AUTH_SECRET } from '@sdp/identity';
import { KafkaModule } from '@sdp/messaging';
import { ObservabilityModule } from '@sdp/observability';
import { CacheRedisModule } from '@sdp/redis';
import { CATALOG_CONFIG, type CatalogConfig } from './config';
import { catalogMigrations } from './db/migrations';
import { BestSellersModule } from './best-sellers/best-sellers.module';
import { EdgeRefreshModule } from './edge/edge-refresh';
import { MeModule } from './me/me.module';
import { seedCatalog } from './db/seed';
import { Category } from './products/category.entity';
import { Product } from './products/product.entity';
import { ProductsModule } from './products/products.module';

@Module({})
export class AppModule {
  static forRoot(config: CatalogConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'catalog',
          instanceId: config.INSTANCE_ID,
          logLevel: config.LOG_LEVEL,
        }),
        {
          module: ConfigHolder,
          global: true,
          providers: [
            { provide: CATALOG_CONFIG, useValue: config },
            { provide: INTERNAL_AUTH_SECRET, useValue: config.INTERNAL_AUTH_SECRET },
          ],
          exports: [CATALOG_CONFIG, INTERNAL_AUTH_SECRET],
        },
        DatabaseModule.forRootAsync({
          inject: [],
          useFactory: () => ({
            url: config.DATABASE_URL,
            schema: config.DB_SCHEMA,
            entities: [Product, Category],
            migrations: catalogMigrations,
            applicationName: config.INSTANCE_ID,
            poolSize: config.DB_POOL_SIZE,
            migrate: config.DB_MIGRATE,
            afterMigrate: (dataSource) =>
              config.SEED_DEMO_DATA ? seedCatalog(dataSource, config.DB_SCHEMA) : Promise.resolve(),
          }),
        }),
        CacheRedisModule.forRootAsync({
          inject: [],
          useFactory: () => ({ url: config.REDIS_CACHE_URL, name: config.INSTANCE_ID }),
        }),
        KafkaModule.forRootAsync({
          inject: [],
          useFactory: () => ({
            clientId: config.INSTANCE_ID,
            brokers: config.KAFKA_BROKERS,
            topicPrefix: config.KAFKA_TOPIC_PREFIX,
            topics: ['product.updated', 'order.confirmed', 'stock.changed'],
          }),
        }),
        BestSellersModule, // before ProductsModule: /products/top must not reach /products/:id
        ProductsModule,
        MeModule,
        EdgeRefreshModule,
      ],
    };
  }
}

/** Makes the validated config (and the identity secret for the guard) injectable everywhere. */
@Module({})
class ConfigHolder {}
