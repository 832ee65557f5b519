import { DynamicModule, Module } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed } from '@sdp/contracts';
import { DatabaseModule } from '@sdp/database';
import { INTERNAL_AUTH_SECRET } from '@sdp/identity';
import { KafkaModule } from '@sdp/messaging';
import { ObservabilityModule } from '@sdp/observability';
import { CacheRedisModule } from '@sdp/redis';
import { NOTIFICATIONS_CONFIG, type NotificationsConfig } from './config';
import { notificationsMigrations } from './db/migrations';
import { NotificationsModule } from './notifications/notifications.module';

@Module({})
export class AppModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'notifications',
          instanceId: config.INSTANCE_ID,
          logLevel: config.LOG_LEVEL,
        }),
        {
          module: ConfigHolder,
          global: true,
          providers: [
            { provide: NOTIFICATIONS_CONFIG, useValue: config },
            { provide: INTERNAL_AUTH_SECRET, useValue: config.INTERNAL_AUTH_SECRET },
          ],
          exports: [NOTIFICATIONS_CONFIG, INTERNAL_AUTH_SECRET],
        },
        DatabaseModule.forRootAsync({
          inject: [],
          useFactory: () => ({
            url: config.DATABASE_URL,
            schema: config.DB_SCHEMA,
            entities: [],
            migrations: notificationsMigrations,
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
            topics: [OrderConfirmed.type, OrderCancelled.type],
          }),
        }),
        NotificationsModule,
      ],
    };
  }
}

/** Makes the validated config (and the identity secret) injectable everywhere. */
@Module({})
class ConfigHolder {}
