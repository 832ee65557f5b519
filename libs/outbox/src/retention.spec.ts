import type { DataSource } from 'typeorm';
import { defaultRetention, OutboxRetention, purgeBatchSql, resolveRetention } from './retention';

describe(resolveRetention.name, () => {
  it('defaults to 24 h of published outbox rows and 30 days of inbox, in batches of 5000', () => {
    expect(resolveRetention(undefined)).toEqual({
      outboxRetentionMs: 24 * 3_600_000,
      inboxRetentionMs: 30 * 24 * 3_600_000,
      intervalMs: 10 * 60_000,
      batchSize: 5_000,
    });
  });

  it('overrides only what is given', () => {
    expect(resolveRetention({ batchSize: 100 })).toEqual({ ...defaultRetention, batchSize: 100 });
  });

  it('is disabled by false', () => {
    expect(resolveRetention(false)).toBeUndefined();
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %p as a duration or size', (value) => {
    expect(() => resolveRetention({ inboxRetentionMs: value })).toThrow(
      /inboxRetentionMs must be a positive integer/,
    );
  });
});

describe(purgeBatchSql.name, () => {
  it('bounds each batch and only matches rows with an age past the cutoff', () => {
    const sql = purgeBatchSql('orders', 'outbox');
    expect(sql).toContain('DELETE FROM "orders".outbox');
    expect(sql).toMatch(/LIMIT \$2/);
    expect(sql).not.toMatch(/published_at IS NULL/);
    expect(purgeBatchSql('orders', 'processed_messages')).toMatch(/processed_at < now\(\)/);
  });
});

/** A query runner whose unlock fails, recording what happens to its pooled connection. */
function fakeDataSource(unlockError: Error) {
  const calls: string[] = [];
  const connection = { end: async () => void calls.push('end') };
  const runner = {
    connect: async () => connection,
    release: async () => void calls.push('release'),
    query: async (sql: string) => {
      if (sql.includes('pg_try_advisory_lock')) return [{ locked: true }];
      if (sql.includes('pg_advisory_unlock')) throw unlockError;
      return { affected: 0 };
    },
  };
  return { calls, dataSource: { createQueryRunner: () => runner } as unknown as DataSource };
}

describe(OutboxRetention.name, () => {
  it('closes the pooled connection when unlocking fails, so no pooled session keeps the lock', async () => {
    const { calls, dataSource } = fakeDataSource(new Error('connection reset'));
    const job = new OutboxRetention(dataSource, { ...defaultRetention, schema: 's', instanceId: 'r-1' });
    await expect(job.runOnce()).rejects.toThrow('connection reset');
    expect(calls).toEqual(['end', 'release']);
  });
});
