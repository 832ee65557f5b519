import { DynamicModule, Module } from '@nestjs/common';
import { OrderPlaced, PaymentFailed, PaymentSucceeded } from '@sdp/contracts';
import { DatabaseModule } from '@sdp/database';
import { INTERNAL_AUTH_SECRET } from '@sdp/identity';
import { KafkaModule } from '@sdp/messaging';
import { ObservabilityModule } from '@sdp/observability';
import { OutboxModule } from '@sdp/outbox';
import { PAYMENTS_CONFIG, type PaymentsConfig } from './config';
import { paymentsMigrations } from './db/migrations';
import { PaymentsModule } from './payments/payments.module';

@Module({})
export class AppModule {
  static forRoot(config: PaymentsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'payments',
          instanceId: config.INSTANCE_ID,
          logLevel: config.LOG_LEVEL,
        }),
        {
          module: ConfigHolder,
          global: true,
          providers: [
            { provide: PAYMENTS_CONFIG, useValue: config },
            { provide: INTERNAL_AUTH_SECRET, useValue: config.INTERNAL_AUTH_SECRET },
          ],
          exports: [PAYMENTS_CONFIG, INTERNAL_AUTH_SECRET],
        },
        DatabaseModule.forRootAsync({
          inject: [],
          useFactory: () => ({
            url: config.DATABASE_URL,
            schema: config.DB_SCHEMA,
            entities: [],
            migrations: paymentsMigrations,
            applicationName: config.INSTANCE_ID,
            poolSize: config.DB_POOL_SIZE,
            migrate: config.DB_MIGRATE,
          }),
        }),
        KafkaModule.forRootAsync({
          inject: [],
          useFactory: () => ({
            clientId: config.INSTANCE_ID,
            brokers: config.KAFKA_BROKERS,
            topicPrefix: config.KAFKA_TOPIC_PREFIX,
            topics: [OrderPlaced.type, PaymentSucceeded.type, PaymentFailed.type],
          }),
        }),
        OutboxModule.forRoot({ schema: config.DB_SCHEMA }),
        PaymentsModule,
      ],
    };
  }
}

/** Makes the validated config (and the identity secret) injectable everywhere. */
@Module({})
class ConfigHolder {}
