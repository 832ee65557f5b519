import { DynamicModule, Module } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed, OrderPlaced, PaymentFailed, PaymentSucceeded } from '@sdp/contracts';
import { DatabaseModule } from '@sdp/database';
import { INTERNAL_AUTH_SECRET } from '@sdp/identity';
import { KafkaModule } from '@sdp/messaging';
import { ObservabilityModule } from '@sdp/observability';
import { OutboxModule } from '@sdp/outbox';
import { CacheRedisModule } from '@sdp/redis';
import { CartModule } from './cart/cart.module';
import { CheckoutModule } from './checkout/checkout.module';
import { ORDERS_CONFIG, type OrdersConfig } from './config';
import { ordersMigrations } from './db/migrations';
import { OrdersModule } from './orders/orders.module';

@Module({})
export class AppModule {
  static forRoot(config: OrdersConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'orders',
          instanceId: config.INSTANCE_ID,
          logLevel: config.LOG_LEVEL,
        }),
        {
          module: ConfigHolder,
          global: true,
          providers: [
            { provide: ORDERS_CONFIG, useValue: config },
            // The identity guard verifies gateway signatures with this secret.
            { provide: INTERNAL_AUTH_SECRET, useValue: config.INTERNAL_AUTH_SECRET },
          ],
          exports: [ORDERS_CONFIG, INTERNAL_AUTH_SECRET],
        },
        DatabaseModule.forRootAsync({
          inject: [],
          useFactory: () => ({
            url: config.DATABASE_URL,
            schema: config.DB_SCHEMA,
            entities: [],
            migrations: ordersMigrations,
            applicationName: config.INSTANCE_ID,
            poolSize: config.DB_POOL_SIZE,
            migrate: config.DB_MIGRATE,
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
            topics: [
              OrderPlaced.type,
              OrderConfirmed.type,
              OrderCancelled.type,
              PaymentSucceeded.type,
              PaymentFailed.type,
            ],
          }),
        }),
        OutboxModule.forRoot({ schema: config.DB_SCHEMA }),
        CartModule,
        OrdersModule,
        CheckoutModule,
      ],
    };
  }
}

/** Makes the validated config (and the identity secret) injectable everywhere. */
@Module({})
class ConfigHolder {}
