import { DynamicModule, Module } from '@nestjs/common';
import { configFor, databaseFor, kafkaFor, observabilityFor } from '@sdp/bootstrap';
import {
  DeliveryAssigned,
  DeliveryCancelled,
  DeliveryDelivered,
  OrderCancelled,
  OrderConfirmed,
} from '@sdp/contracts';
import { LockModule, lockOptionsFromConfig } from '@sdp/locks';
import { OutboxModule } from '@sdp/outbox';
import { DELIVERY_CONFIG, type DeliveryConfig } from './config';
import { deliveryMigrations } from './db/migrations';
import { seedCouriers } from './db/seed';
import { DeliveryModule } from './delivery.module';

@Module({})
export class AppModule {
  static forRoot(config: DeliveryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        observabilityFor('delivery', config),
        configFor(DELIVERY_CONFIG, config),
        databaseFor(config, {
          migrations: deliveryMigrations,
          afterMigrate: (dataSource) => seedCouriers(dataSource, config.DB_SCHEMA, config.COURIER_COUNT),
        }),
        LockModule.forRoot({
          // Redlock (default) or ZooKeeper: LOCK_BACKEND, REDIS_LOCK_URLS, ZOOKEEPER_URL.
          ...lockOptionsFromConfig(config, config.INSTANCE_ID),
          keyPrefix: config.LOCK_KEY_PREFIX,
          // The dispatcher never waits for a busy lock (tryOnce): it moves on to another courier.
          retryCount: 0,
        }),
        kafkaFor(config, [
          OrderConfirmed.type,
          OrderCancelled.type,
          DeliveryAssigned.type,
          DeliveryDelivered.type,
          DeliveryCancelled.type,
        ]),
        OutboxModule.forRoot({ schema: config.DB_SCHEMA }),
        DeliveryModule,
      ],
    };
  }
}
