import { DynamicModule, Module } from '@nestjs/common';
import { configFor, databaseFor, kafkaFor, observabilityFor } from '@sdp/bootstrap';
import { AuctionClosed } from '@sdp/contracts';
import { LockModule, lockOptionsFromConfig } from '@sdp/locks';
import { OutboxModule } from '@sdp/outbox';
import { AuctionsModule } from './auctions.module';
import { AUCTIONS_CONFIG, type AuctionsConfig } from './config';
import { auctionsMigrations } from './db/migrations';

@Module({})
export class AppModule {
  static forRoot(config: AuctionsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        observabilityFor('auctions', config),
        configFor(AUCTIONS_CONFIG, config),
        databaseFor(config, { migrations: auctionsMigrations }),
        LockModule.forRoot({
          // Redlock (default) or ZooKeeper: LOCK_BACKEND, REDIS_LOCK_URLS, ZOOKEEPER_URL.
          ...lockOptionsFromConfig(config, config.INSTANCE_ID),
          keyPrefix: config.LOCK_KEY_PREFIX,
          retryCount: config.LOCK_RETRY_COUNT,
          retryDelayMs: config.LOCK_RETRY_DELAY_MS,
          retryJitterMs: Math.ceil(config.LOCK_RETRY_DELAY_MS / 2),
        }),
        kafkaFor(config, [AuctionClosed.type]),
        OutboxModule.forRoot({ schema: config.DB_SCHEMA }),
        AuctionsModule,
      ],
    };
  }
}
