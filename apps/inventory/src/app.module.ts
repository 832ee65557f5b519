import { DynamicModule, Module } from '@nestjs/common';
import { configFor, databaseFor, kafkaFor, observabilityFor } from '@sdp/bootstrap';
import { OrderCancelled, OrderConfirmed, OrderUnfulfillable, StockChanged } from '@sdp/contracts';
import { LockModule, lockOptionsFromConfig } from '@sdp/locks';
import { OutboxModule } from '@sdp/outbox';
import { consumerGroups } from '@sdp/topology';
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
        observabilityFor('inventory', config),
        configFor(INVENTORY_CONFIG, config),
        databaseFor(config, {
          migrations: inventoryMigrations,
          afterMigrate: (dataSource) =>
            config.SEED_DEMO_DATA ? seedStock(dataSource, config.DB_SCHEMA) : Promise.resolve(),
        }),
        LockModule.forRoot({
          // Redlock (default) or ZooKeeper: LOCK_BACKEND, REDIS_LOCK_URLS, ZOOKEEPER_URL.
          ...lockOptionsFromConfig(config, config.INSTANCE_ID),
          keyPrefix: config.LOCK_KEY_PREFIX,
          retryCount: config.LOCK_RETRY_COUNT,
          retryDelayMs: config.LOCK_RETRY_DELAY_MS,
        }),
        kafkaFor(
          config,
          [StockChanged.type, OrderConfirmed.type, OrderCancelled.type, OrderUnfulfillable.type],
          { groupNames: { [consumerGroups.inventory.orderEvents]: config.KAFKA_CONSUMER_GROUP } },
        ),
        OutboxModule.forRoot({ schema: config.DB_SCHEMA }),
        InventoryModule,
      ],
    };
  }
}
