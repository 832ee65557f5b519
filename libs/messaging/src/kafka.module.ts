import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ReadinessService } from '@sdp/observability';
import type { ConsumerGroup } from '@sdp/topology';
import { Kafka, type Admin } from 'kafkajs';
import { dlqTopic } from './headers';
import { createKafka, ensureTopics } from './kafka';
import { EventPublisher } from './publisher';
import { discoverConsumers } from './consume';
import { runConsumer, type EventSubscriber } from './consumer';
import { withRetry, type RetryPolicy } from './retry';

/**
 * Boot-time Kafka steps (create the topics, connect the producer) get whole new attempts after
 * kafkajs' own retries (about 30 s) give up: when every migrate job and replica of a compose stack
 * boots at once on two cores, the broker can be healthy yet unreachable for longer than that, and a
 * one-shot migrate job has no restart policy to try again. Up to about three minutes in all, then
 * the service refuses to start with kafkajs' error.
 */
const BOOT_RETRY: RetryPolicy = { retries: 4, initialDelayMs: 2_000, maxDelayMs: 10_000 };
const bootLogger = new Logger('KafkaModule');

async function atBoot(what: string, step: () => Promise<void>): Promise<void> {
  let attempt = 0;
  const outcome = await withRetry(async () => {
    attempt++;
    try {
      await step();
    } catch (error) {
      if (attempt <= BOOT_RETRY.retries)
        bootLogger.warn(`${what} failed (attempt ${attempt}), trying again: ${String(error)}`);
      throw error;
    }
  }, BOOT_RETRY);
  if (!outcome.ok) throw outcome.error;
}

export interface KafkaModuleOptions {
  clientId: string;
  brokers: string[];
  /** Prepended to every topic name, so a test stack can share a broker without sharing topics. */
  topicPrefix?: string;
  /** Event topics this service publishes or consumes; they and their `.dlq` are created at start. */
  topics: readonly string[];
  partitions?: number;
  /**
   * Another name for a consumer group (still prefixed), for the rare case a group's members must be
   * told apart by config, e.g. a test giving one replica a group of its own.
   */
  groupNames?: Partial<Record<ConsumerGroup, string>>;
}

const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');

/** Resolves an event topic to the real topic name (with the stack's prefix). */
export class Topics {
  constructor(private readonly prefix: string) {}

  name(topic: string): string {
    return `${this.prefix}${topic}`;
  }
}

/**
 * The service's declared consumers (@ConsumeEvents methods, found at boot): one Kafka consumer per
 * group. They start once the app is up (so handlers can use every provider) and stop first on
 * shutdown (so no handler runs against a closing database).
 */
@Injectable()
export class Consumers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Consumers');
  private readonly running: EventSubscriber[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: Topics,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
  ) {}

  /** A group's real name: its topology name (or the configured rename), with the stack's prefix once. */
  groupId(group: ConsumerGroup): string {
    return this.topics.name(this.options.groupNames?.[group] ?? group);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const declared of discoverConsumers(this.discovery, this.scanner)) {
      const options = {
        groupId: this.groupId(declared.group),
        topics: declared.topics.map((t) => this.topics.name(t)),
        // A brand-new group starts at the beginning, so events published before the service first
        // started are not skipped; consumers are idempotent, so re-reading history is harmless.
        fromBeginning: true,
        handler: declared.handle,
      };
      this.running.push(await runConsumer({ ...options, kafka: this.kafka }));
      this.logger.log(`consuming ${options.topics.join(', ')} as group ${options.groupId}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.running.splice(0).map((consumer) => consumer.stop()));
  }
}

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

  /** Options are plain values, as for DatabaseModule and LockModule: config is validated first. */
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
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
            const names = settings.topics.flatMap((t) => [topics.name(t), dlqTopic(topics.name(t))]);
            await atBoot('creating the topics', async () => {
              const admin = kafka.admin();
              await admin.connect();
              try {
                await ensureTopics(admin, names, settings.partitions ?? 3);
              } finally {
                await admin.disconnect();
              }
            });
            return kafka;
          },
        },
        {
          provide: EventPublisher,
          inject: [Kafka],
          useFactory: async (kafka: Kafka): Promise<EventPublisher> => {
            const publisher = new EventPublisher(kafka);
            await atBoot('connecting the producer', () => publisher.connect());
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
