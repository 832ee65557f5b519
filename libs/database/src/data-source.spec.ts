import { createServiceDataSource } from './data-source';

describe(createServiceDataSource.name, () => {
  const dataSource = createServiceDataSource({
    url: 'postgres://u:p@127.0.0.1:1/db',
    schema: 'catalog',
    entities: [],
    migrations: [],
    applicationName: 'catalog-1',
  });

  it('scopes the service to its own schema and never synchronizes from entities', () => {
    expect(dataSource.options).toMatchObject({
      type: 'postgres',
      schema: 'catalog',
      synchronize: false,
      migrationsRun: false,
      migrationsTableName: 'migrations',
      applicationName: 'catalog-1',
    });
  });

  it('bounds connection waits (10 s unless DB_POOL_WAIT_MS says otherwise) and runaway statements', () => {
    expect(dataSource.options.extra).toMatchObject({
      connectionTimeoutMillis: 10_000,
      statement_timeout: 10_000,
    });
    const patient = createServiceDataSource({
      url: 'postgres://u:p@127.0.0.1:1/db',
      schema: 'catalog',
      entities: [],
      migrations: [],
      applicationName: 'catalog-1',
      poolWaitMs: 2_500,
    });
    expect(patient.options.extra).toMatchObject({ connectionTimeoutMillis: 2_500 });
  });
});
