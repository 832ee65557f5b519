import { DynamicModule, Global, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ReadinessService } from '@sdp/observability';
import { DataSource } from 'typeorm';
import { connectWhenReachable, retryStartupRaces } from './connect';
import { createServiceDataSource, type ServiceDataSourceOptions } from './data-source';
import { migrateSchema } from './migrate';

/** How long migrating and seeding may keep retrying start-up races (new connects timing out). */
const MIGRATE_RETRY_MS = 60_000;

export interface DatabaseModuleOptions extends ServiceDataSourceOptions {
  /** Runs after migrations on every start (e.g. idempotent demo data). */
  afterMigrate?: (dataSource: DataSource) => Promise<unknown>;
  /** false: another process (a one-shot migrate job) owns migrations and seeding; default true. */
  migrate?: boolean;
}

/**
 * Provides the service's TypeORM DataSource, migrated before anything else starts, with a
 * readiness check and a clean close on shutdown.
 */
@Global()
@Module({})
export class DatabaseModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly readiness: ReadinessService,
  ) {}

  /** Options are plain values: services validate their config before building the module tree. */
  static forRoot(settings: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          useFactory: async (): Promise<DataSource> => {
            const dataSource = await connectWhenReachable(() => createServiceDataSource(settings));
            if (settings.migrate !== false) {
              // Migrating opens a second pooled connection beside the one holding the advisory
              // lock, and seeding may open more: each is a new connect that can time out while the
              // stack boots (compose's nine one-shot migrate jobs on two cores, which have no
              // restart policy). Both steps are idempotent, so a start-up race is retried.
              await retryStartupRaces(
                'migrate',
                async () => {
                  await migrateSchema(dataSource, settings.schema);
                  await settings.afterMigrate?.(dataSource);
                },
                MIGRATE_RETRY_MS,
              );
            }
            return dataSource;
          },
        },
      ],
      exports: [DataSource],
    };
  }

  onModuleInit(): void {
    this.readiness.register('postgres', () => this.dataSource.query('SELECT 1'));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
