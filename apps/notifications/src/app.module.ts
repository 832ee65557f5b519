import { DynamicModule, Module } from '@nestjs/common';
import { cacheRedisFor, configFor, databaseFor, kafkaFor, observabilityFor } from '@sdp/bootstrap';
import {
  DeliveryAssigned,
  DeliveryCancelled,
  DeliveryDelivered,
  OrderCancelled,
  OrderConfirmed,
  PaymentRefunded,
} from '@sdp/contracts';
import { NOTIFICATIONS_CONFIG, type NotificationsConfig } from './config';
import { notificationsMigrations } from './db/migrations';
import { NotificationsModule } from './notifications/notifications.module';

@Module({})
export class AppModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        observabilityFor('notifications', config),
        configFor(NOTIFICATIONS_CONFIG, config),
        databaseFor(config, { migrations: notificationsMigrations }),
        cacheRedisFor(config),
        kafkaFor(config, [
          OrderConfirmed.type,
          OrderCancelled.type,
          PaymentRefunded.type,
          DeliveryAssigned.type,
          DeliveryDelivered.type,
          DeliveryCancelled.type,
        ]),
        NotificationsModule,
      ],
    };
  }
}
