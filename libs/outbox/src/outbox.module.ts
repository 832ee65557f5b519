import {
  DynamicModule,
  Inject,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { EventPublisher, Topics } from '@sdp/messaging';
import { MetricsService, OBSERVABILITY_OPTIONS, type ObservabilityOptions } from '@sdp/observability';
import { DataSource } from 'typeorm';
import { OutboxRelay } from './relay';
import { OutboxRetention, resolveRetention, type RetentionSettings } from './retention';

export interface OutboxModuleOptions {
  schema: string;
  /** Relay poll interval (default 100 ms). */
  intervalMs?: number;
  /** Retention of published outbox rows and inbox rows (defaults in `defaultRetention`); false disables it. */
  retention?: Partial<RetentionSettings> | false;
}

/**
 * Runs the service's outbox relay while the app is up (every replica; SKIP LOCKED keeps them apart),
 * and the retention job (every replica ticks; an advisory lock lets one at a time delete).
 */
@Module({})
export class OutboxModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly relay: OutboxRelay,
    @Optional() @Inject(OutboxRetention) private readonly retention?: OutboxRetention,
  ) {}

  static forRoot(options: OutboxModuleOptions): DynamicModule {
    const retention = resolveRetention(options.retention);
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
            // Counted when /metrics is scraped (the partial index on unpublished rows keeps it cheap);
            // a failed count keeps the last value rather than failing the scrape.
            metrics.gauge('outbox_backlog', 'Outbox rows not yet published to Kafka.', [], async (gauge) => {
              try {
                const [row] = await dataSource.query<{ n: number }[]>(
                  `SELECT count(*)::int AS n FROM "${options.schema}".outbox WHERE published_at IS NULL`,
                );
                gauge.set(row.n);
              } catch {
                // Postgres unreachable: the relay reports it; the gauge keeps its last value
              }
            });
            return new OutboxRelay(dataSource, publisher, {
              schema: options.schema,
              intervalMs: options.intervalMs ?? 100,
              topicName: (topic) => topics.name(topic),
              onPublished: (count) => published.inc(count),
              onError: (error) => logger.warn(`relay failed, will retry: ${String(error)}`),
            });
          },
        },
        ...(retention
          ? [
              {
                provide: OutboxRetention,
                inject: [DataSource, MetricsService, OBSERVABILITY_OPTIONS],
                useFactory: (
                  dataSource: DataSource,
                  metrics: MetricsService,
                  observability: ObservabilityOptions,
                ) => retentionJob(dataSource, metrics, options.schema, observability.instanceId, retention),
              },
            ]
          : []),
      ],
      exports: [OutboxRelay, ...(retention ? [OutboxRetention] : [])],
    };
  }

  onApplicationBootstrap(): void {
    this.relay.start();
    this.retention?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.relay.stop(), this.retention?.stop()]);
  }
}

/** The retention job wired to this replica's metrics and logs. */
function retentionJob(
  dataSource: DataSource,
  metrics: MetricsService,
  schema: string,
  instanceId: string,
  settings: RetentionSettings,
): OutboxRetention {
  const logger = new Logger('OutboxRetention');
  const deleted = metrics.counter(
    'outbox_retention_deleted_rows_total',
    'Rows the retention job deleted, by table (outbox = published events, processed_messages = inbox).',
    ['table'],
  );
  const runs = metrics.counter(
    'outbox_retention_runs_total',
    'Retention ticks: "ran" where this replica got the advisory lock, "skipped" where another held it.',
    ['outcome'],
  );
  return new OutboxRetention(dataSource, {
    ...settings,
    schema,
    instanceId,
    onDeleted: (table, count) => deleted.inc({ table }, count),
    onRun: (result) => {
      runs.inc({ outcome: result.ran ? 'ran' : 'skipped' });
      const { outbox, processed_messages } = result.deleted;
      if (outbox + processed_messages > 0)
        logger.log(
          `retention ran on ${instanceId}: deleted ${outbox} outbox row(s), ${processed_messages} processed_messages row(s)`,
        );
    },
    onError: (error) => logger.warn(`retention failed on ${instanceId}, next tick retries: ${String(error)}`),
  });
}
