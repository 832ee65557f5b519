import { DynamicModule, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventPublisher, Topics } from '@sdp/messaging';
import { MetricsService } from '@sdp/observability';
import { DataSource } from 'typeorm';
import { OutboxRelay } from './relay';

/** Runs the service's outbox relay while the app is up (every replica; SKIP LOCKED keeps them apart). */
@Module({})
export class OutboxModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly relay: OutboxRelay) {}

  static forRoot(options: { schema: string; intervalMs?: number }): DynamicModule {
    return {
      module: OutboxModule,
      providers: [
        {
          provide: OutboxRelay,
          inject: [DataSource, EventPublisher, Topics, MetricsService],
          useFactory: (
            dataSource: DataSource,
            publisher: EventPublisher,
            topics: Topics,
            metrics: MetricsService,
          ) => {
            const logger = new Logger('OutboxRelay');
            const published = metrics.counter('outbox_published_total', 'Outbox events published to Kafka.');
            return new OutboxRelay(dataSource, publisher, {
              schema: options.schema,
              intervalMs: options.intervalMs ?? 100,
              topicName: (topic) => topics.name(topic),
              onPublished: (count) => published.inc(count),
              onError: (error) => logger.warn(`relay failed, will retry: ${String(error)}`),
            });
          },
        },
      ],
      exports: [OutboxRelay],
    };
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
