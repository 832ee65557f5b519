import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

export interface ServiceDataSourceOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** The Postgres schema this service owns; its tables and its migrations table live there. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  /** Shown in pg_stat_activity, e.g. "catalog-1". */
  applicationName: string;
  poolSize?: number;
  /** How long a query waits for a free (or new) connection before it fails. */
  poolWaitMs?: number;
}

/**
 * One TypeORM data source per service schema. Tables are only ever created by migrations:
 * `synchronize` is off on purpose (it can drop columns and data on a model change).
 */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    applicationName: options.applicationName,
    poolSize: options.poolSize ?? 10,
    extra: {
      connectionTimeoutMillis: options.poolWaitMs ?? 10_000,
      // A runaway query must not hold a pooled connection forever.
      statement_timeout: 10_000,
      idle_in_transaction_session_timeout: 10_000,
    },
  });
}
