import { DynamicModule, Module } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed, StockChanged } from '@sdp/contracts';
import { DatabaseModule } from '@sdp/database';
import { INTERNAL_AUTH_SECRET } from '@sdp/identity';
import { LockModule } from '@sdp/locks';
import { KafkaModule } from '@sdp/messaging';
import { ObservabilityModule } from '@sdp/observability';
import { OutboxModule } from '@sdp/outbox';
import { INVENTORY_CONFIG, type InventoryConfig } from './config';
import { inventoryMigrations } from './db/migrations';
import { seedStock } from './db/seed';
import { InventoryModule } from './inventory.module';

@Module({})
export class AppModule {
  static forRoot(config: InventoryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'inventory',
          instanceId: config.INSTANCE_ID,
          logLevel: config.LOG_LEVEL,
        }),
        {
          module: ConfigHolder,
          global: true,
          providers: [
            { provide: INVENTORY_CONFIG, useValue: config },
            { provide: INTERNAL_AUTH_SECRET, useValue: config.INTERNAL_AUTH_SECRET },
          ],
          exports: [INVENTORY_CONFIG, INTERNAL_AUTH_SECRET],
        },
        DatabaseModule.forRootAsync({
          inject: [],
          useFactory: () => ({
            url: config.DATABASE_URL,
            schema: config.DB_SCHEMA,
            entities: [],
            migrations: inventoryMigrations,
            applicationName: config.INSTANCE_ID,
            poolSize: config.DB_POOL_SIZE,
            migrate: config.DB_MIGRATE,
            afterMigrate: (dataSource) =>
              config.SEED_DEMO_DATA ? seedStock(dataSource, config.DB_SCHEMA) : Promise.resolve(),
          }),
        }),
        LockModule.forRootAsync({
          inject: [],
          useFactory: () => ({
            urls: config.REDIS_LOCK_URLS,
            name: config.INSTANCE_ID,
            keyPrefix: config.LOCK_KEY_PREFIX,
            retryCount: config.LOCK_RETRY_COUNT,
            retryDelayMs: config.LOCK_RETRY_DELAY_MS,
          }),
        }),
        KafkaModule.forRootAsync({
          inject: [],
          useFactory: () => ({
            clientId: config.INSTANCE_ID,
            brokers: config.KAFKA_BROKERS,
            topicPrefix: config.KAFKA_TOPIC_PREFIX,
            topics: [StockChanged.type, OrderConfirmed.type, OrderCancelled.type],
          }),
        }),
        OutboxModule.forRoot({ schema: config.DB_SCHEMA }),
        InventoryModule,
      ],
    };
  }
}

/** Makes the validated config (and the identity secret) injectable everywhere. */
@Module({})
class ConfigHolder {}
