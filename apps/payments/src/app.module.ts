import { DynamicModule, Module } from '@nestjs/common';
import { configFor, databaseFor, kafkaFor, observabilityFor } from '@sdp/bootstrap';
import {
  OrderCancelled,
  OrderPlaced,
  PaymentFailed,
  PaymentRefunded,
  PaymentSucceeded,
} from '@sdp/contracts';
import { OutboxModule } from '@sdp/outbox';
import { PAYMENTS_CONFIG, type PaymentsConfig } from './config';
import { paymentsMigrations } from './db/migrations';
import { PaymentsModule } from './payments/payments.module';
import { RefundsModule } from './refunds/refunds.module';

@Module({})
export class AppModule {
  static forRoot(config: PaymentsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        observabilityFor('payments', config),
        configFor(PAYMENTS_CONFIG, config),
        databaseFor(config, { migrations: paymentsMigrations }),
        kafkaFor(config, [
          OrderPlaced.type,
          PaymentSucceeded.type,
          PaymentFailed.type,
          OrderCancelled.type,
          PaymentRefunded.type,
        ]),
        OutboxModule.forRoot({ schema: config.DB_SCHEMA }),
        PaymentsModule,
        RefundsModule,
      ],
    };
  }
}
