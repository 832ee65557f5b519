import { DynamicModule, Module } from '@nestjs/common';
import { cacheRedisFor, configFor, databaseFor, kafkaFor, observabilityFor } from '@sdp/bootstrap';
import {
  AuctionClosed,
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  OrderUnfulfillable,
  PaymentFailed,
  PaymentSucceeded,
} from '@sdp/contracts';
import { OutboxModule } from '@sdp/outbox';
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
        observabilityFor('orders', config),
        configFor(ORDERS_CONFIG, config),
        databaseFor(config, { migrations: ordersMigrations }),
        cacheRedisFor(config),
        kafkaFor(config, [
          OrderPlaced.type,
          OrderConfirmed.type,
          OrderCancelled.type,
          PaymentSucceeded.type,
          PaymentFailed.type,
          OrderUnfulfillable.type,
          AuctionClosed.type,
        ]),
        OutboxModule.forRoot({ schema: config.DB_SCHEMA }),
        CartModule,
        OrdersModule,
        CheckoutModule,
      ],
    };
  }
}
