import { type FactoryProvider, Logger } from '@nestjs/common';
import { MetricsService, OBSERVABILITY_OPTIONS, type ObservabilityOptions } from '@sdp/observability';
import { DataSource } from 'typeorm';
import { OutboxModule, type OutboxModuleOptions } from './outbox.module';
import { OutboxRelay } from './relay';
import { OutboxRetention } from './retention';

/** A database where the retention lock is `locked` and each table has `rows` old rows to delete once. */
function fakeDataSource(locked: boolean, rows: number) {
  const left = { outbox: rows, processed_messages: rows };
  const runner = {
    release: async () => undefined,
    query: async (sql: string) => {
      if (sql.includes('pg_try_advisory_lock')) return [{ locked }];
      if (sql.includes('pg_advisory_unlock')) return [{ pg_advisory_unlock: true }];
      const table = sql.includes('.outbox') ? 'outbox' : 'processed_messages';
      const affected = left[table];
      left[table] = 0;
      return { affected };
    },
  };
  return { createQueryRunner: () => runner } as unknown as DataSource;
}

/** The retention provider forRoot declares, built the way Nest would build it. */
function retentionProvider(options: OutboxModuleOptions) {
  const providers = (OutboxModule.forRoot(options).providers ?? []) as FactoryProvider[];
  return providers.find((provider) => provider.provide === OutboxRetention);
}

function build(options: OutboxModuleOptions, dataSource: DataSource) {
  const provider = retentionProvider(options)!;
  const metrics = new MetricsService();
  const observability: ObservabilityOptions = { service: 'orders', instanceId: 'orders-7' };
  const deps = new Map<unknown, unknown>([
    [DataSource, dataSource],
    [MetricsService, metrics],
    [OBSERVABILITY_OPTIONS, observability],
  ]);
  // Every dependency the factory asks for must be one the app's container provides.
  const args = (provider.inject ?? []).map((token) => {
    expect(deps.has(token)).toBe(true);
    return deps.get(token);
  });
  return { metrics, retention: provider.useFactory(...args) as OutboxRetention };
}

/** Runs the job's first tick (jitter pinned to half an interval) and stops it. */
async function runFirstTick(retention: OutboxRetention) {
  jest.spyOn(Math, 'random').mockReturnValue(0.5);
  retention.start();
  await jest.advanceTimersByTimeAsync(1_000);
  await retention.stop();
}

const metricValues = async (metrics: MetricsService, name: string) =>
  (await metrics.registry.getSingleMetric(name)!.get()).values.map((v) => [v.labels, v.value]);

describe(OutboxModule.name, () => {
  let log: jest.SpyInstance;
  beforeEach(() => {
    jest.useFakeTimers();
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('runs retention by default, and not when disabled', () => {
    expect(retentionProvider({ schema: 'orders' })).toBeDefined();
    expect(retentionProvider({ schema: 'orders', retention: false })).toBeUndefined();
    expect(OutboxModule.forRoot({ schema: 'orders', retention: false }).exports).toEqual([OutboxRelay]);
  });

  it('refuses invalid retention settings at startup', () => {
    expect(() => OutboxModule.forRoot({ schema: 'orders', retention: { batchSize: 0 } })).toThrow(
      /batchSize/,
    );
  });

  it('counts deleted rows by table and logs the replica that deleted them', async () => {
    const { metrics, retention } = build(
      { schema: 'orders', retention: { intervalMs: 1_000 } },
      fakeDataSource(true, 3),
    );
    await runFirstTick(retention);

    expect(await metricValues(metrics, 'outbox_retention_deleted_rows_total')).toEqual([
      [{ table: 'outbox' }, 3],
      [{ table: 'processed_messages' }, 3],
    ]);
    expect(await metricValues(metrics, 'outbox_retention_runs_total')).toEqual([[{ outcome: 'ran' }, 1]]);
    expect(log).toHaveBeenCalledWith(
      'retention ran on orders-7: deleted 3 outbox row(s), 3 processed_messages row(s)',
    );
  });

  it('counts a tick where another replica held the lock as skipped, and logs nothing', async () => {
    const { metrics, retention } = build(
      { schema: 'orders', retention: { intervalMs: 1_000 } },
      fakeDataSource(false, 3),
    );
    await runFirstTick(retention);

    expect(await metricValues(metrics, 'outbox_retention_runs_total')).toEqual([[{ outcome: 'skipped' }, 1]]);
    expect(await metricValues(metrics, 'outbox_retention_deleted_rows_total')).toEqual([]);
    expect(log).not.toHaveBeenCalled();
  });
});

describe('outbox_backlog', () => {
  it('counts unpublished rows when scraped, and keeps the last count when the query fails', async () => {
    const provider = ((OutboxModule.forRoot({ schema: 'orders' }).providers ?? []) as FactoryProvider[]).find(
      (p) => p.provide === OutboxRelay,
    )!;
    const answers: (() => unknown)[] = [() => [{ n: 4 }], () => Promise.reject(new Error('down'))];
    const queries: string[] = [];
    const dataSource = {
      query: (sql: string) => {
        queries.push(sql);
        return answers.shift()!();
      },
    } as unknown as DataSource;
    const metrics = new MetricsService();
    provider.useFactory(dataSource, {}, { name: (t: string) => t }, metrics);
    expect(await metricValues(metrics, 'outbox_backlog')).toEqual([[{}, 4]]);
    expect(await metricValues(metrics, 'outbox_backlog')).toEqual([[{}, 4]]);
    expect(queries[0]).toContain('"orders".outbox WHERE published_at IS NULL');
  });
});
