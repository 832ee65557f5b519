import {
  DynamicModule,
  Global,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { ReadinessService } from '@sdp/observability';
import { Kafka, type Admin } from 'kafkajs';
import { dlqTopic } from './headers';
import { createKafka, ensureTopics } from './kafka';
import { EventPublisher } from './publisher';
import { runConsumer, type ConsumerOptions, type EventSubscriber } from './consumer';

export interface KafkaModuleOptions {
  clientId: string;
  brokers: string[];
  /** Prepended to every topic name, so a test stack can share a broker without sharing topics. */
  topicPrefix?: string;
  /** Event topics this service publishes or consumes; they and their `.dlq` are created at start. */
  topics: readonly string[];
  partitions?: number;
}

interface AsyncOptions {
  inject: (string | symbol | (new (...args: never[]) => unknown))[];
  useFactory: (...deps: never[]) => KafkaModuleOptions;
}

/** Resolves an event topic to the real topic name (with the stack's prefix). */
export class Topics {
  constructor(private readonly prefix: string) {}

  name(topic: string): string {
    return `${this.prefix}${topic}`;
  }
}

/**
 * Consumers a service declares; they start once the app is up (so handlers can use every
 * provider) and stop first on shutdown (so no handler runs against a closing database).
 */
@Injectable()
export class Consumers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Consumers');
  private readonly declared: Omit<ConsumerOptions, 'kafka'>[] = [];
  private readonly running: EventSubscriber[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: Topics,
  ) {}

  /**
   * Declare a consumer: `topics` are event topics and `groupId` a plain group name; both get the
   * stack's prefix here, so two stacks sharing a broker never share a consumer group.
   */
  declare(options: Omit<ConsumerOptions, 'kafka'>): void {
    this.declared.push({
      // A brand-new group starts at the beginning, so events published before the service first
      // started are not skipped; consumers are idempotent, so re-reading history is harmless.
      fromBeginning: true,
      ...options,
      groupId: this.topics.name(options.groupId),
      topics: options.topics.map((t) => this.topics.name(t)),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const options of this.declared) {
      this.running.push(await runConsumer({ ...options, kafka: this.kafka }));
      this.logger.log(`consuming ${options.topics.join(', ')} as group ${options.groupId}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.running.splice(0).map((consumer) => consumer.stop()));
  }
}

const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');

@Global()
@Module({})
export class KafkaModule implements OnApplicationShutdown {
  private readonly admin: Admin;

  constructor(
    kafka: Kafka,
    private readonly publisher: EventPublisher,
    readiness: ReadinessService,
  ) {
    this.admin = kafka.admin();
    readiness.register('kafka', async () => {
      await this.admin.connect(); // no-op when already connected
      return this.admin.describeCluster();
    });
  }

  static forRootAsync(options: AsyncOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA_OPTIONS, inject: options.inject, useFactory: options.useFactory },
        {
          provide: Topics,
          inject: [KAFKA_OPTIONS],
          useFactory: (settings: KafkaModuleOptions) => new Topics(settings.topicPrefix ?? ''),
        },
        {
          provide: Kafka,
          inject: [KAFKA_OPTIONS, Topics],
          useFactory: async (settings: KafkaModuleOptions, topics: Topics): Promise<Kafka> => {
            const kafka = createKafka({ clientId: settings.clientId, brokers: settings.brokers });
            const admin = kafka.admin();
            await admin.connect();
            try {
              const names = settings.topics.flatMap((t) => [topics.name(t), dlqTopic(topics.name(t))]);
              await ensureTopics(admin, names, settings.partitions ?? 3);
            } finally {
              await admin.disconnect();
            }
            return kafka;
          },
        },
        {
          provide: EventPublisher,
          inject: [Kafka],
          useFactory: async (kafka: Kafka): Promise<EventPublisher> => {
            const publisher = new EventPublisher(kafka);
            await publisher.connect();
            return publisher;
          },
        },
        Consumers,
      ],
      exports: [EventPublisher, Topics, Consumers, Kafka],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.publisher.disconnect(), this.admin.disconnect()]);
  }
}
