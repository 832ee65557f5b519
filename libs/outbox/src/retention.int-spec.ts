import { createServiceDataSource } from '@sdp/database';
import { testInfraEnv, testSchema, waitFor } from '@sdp/testing';
import type { DataSource } from 'typeorm';
import {
  OutboxRetention,
  purgeBatchSql,
  resolveRetention,
  type RetentionSettings,
  type RetentionTable,
} from './retention';
import { outboxTablesSql } from './schema';

const schema = testSchema('retention');
const HOUR = 3_600_000;

describe('outbox retention (real Postgres)', () => {
  let dataSource: DataSource;
  const retention = (instanceId: string, settings: Partial<RetentionSettings> = {}) => {
    const batches: [RetentionTable, number][] = [];
    const job = new OutboxRetention(dataSource, {
      ...resolveRetention(settings)!,
      schema: schema.name,
      instanceId,
      onDeleted: (table, count) => batches.push([table, count]),
    });
    return { job, batches };
  };

  /** `count` outbox rows created and published `hoursAgo` (null: never published). */
  const addOutbox = (count: number, publishedHoursAgo: number | null, topic = 'test') =>
    dataSource.query(
      `INSERT INTO "${schema.name}".outbox (topic, key, envelope, created_at, published_at)
       SELECT $1, 'k', '{}', now() - interval '30 days',
              CASE WHEN $2::float8 IS NULL THEN NULL ELSE now() - $2::float8 * interval '1 hour' END
       FROM generate_series(1, $3)`,
      [topic, publishedHoursAgo, count],
    );
  const addInbox = (count: number, processedHoursAgo: number, consumer = 'test') =>
    dataSource.query(
      `INSERT INTO "${schema.name}".processed_messages (consumer, event_id, processed_at)
       SELECT $1, gen_random_uuid(), now() - $2::float8 * interval '1 hour' FROM generate_series(1, $3)`,
      [consumer, processedHoursAgo, count],
    );
  const outboxRows = async (topic: string) => {
    const rows: { published: boolean; n: number }[] = await dataSource.query(
      `SELECT published_at IS NOT NULL AS published, count(*)::int AS n FROM "${schema.name}".outbox
       WHERE topic = $1 GROUP BY 1 ORDER BY 1`,
      [topic],
    );
    return Object.fromEntries(rows.map((r) => [r.published ? 'published' : 'unpublished', r.n]));
  };
  const inboxRows = async (consumer: string) => {
    const [{ n }] = await dataSource.query(
      `SELECT count(*)::int AS n FROM "${schema.name}".processed_messages WHERE consumer = $1`,
      [consumer],
    );
    return n as number;
  };
  /** Sessions holding the schema's retention lock (session-level advisory locks on one bigint key). */
  const lockHolders = async () => {
    const [{ n }] = await dataSource.query(
      `SELECT count(*)::int AS n FROM pg_locks, (SELECT hashtext($1)::bigint AS k) AS key
       WHERE locktype = 'advisory' AND granted AND objsubid = 1
         AND classid = ((k >> 32) & 4294967295)::oid AND objid = (k & 4294967295)::oid`,
      [`outbox-retention:${schema.name}`],
    );
    return n as number;
  };
  const truncate = () =>
    dataSource.query(`TRUNCATE "${schema.name}".outbox, "${schema.name}".processed_messages`);

  beforeAll(async () => {
    dataSource = createServiceDataSource({
      url: testInfraEnv().DATABASE_URL,
      schema: schema.name,
      entities: [],
      migrations: [],
      applicationName: 'retention-int',
      poolSize: 6,
    });
    await dataSource.initialize();
    await dataSource.query(`CREATE SCHEMA "${schema.name}"`);
    for (const sql of outboxTablesSql(schema.name)) await dataSource.query(sql);
  });

  beforeEach(truncate);

  afterAll(async () => {
    await dataSource.destroy();
    await schema.drop();
  });

  it('deletes outbox rows published before the cutoff and keeps recent and unpublished ones', async () => {
    await addOutbox(7, 25, 'old');
    await addOutbox(5, 23, 'recent');
    await addOutbox(4, null, 'pending'); // created 30 days ago, still waiting for the relay

    const result = await retention('replica-1').job.runOnce();

    expect(result).toEqual({
      ran: true,
      instanceId: 'replica-1',
      deleted: { outbox: 7, processed_messages: 0 },
    });
    expect(await outboxRows('old')).toEqual({});
    expect(await outboxRows('recent')).toEqual({ published: 5 });
    expect(await outboxRows('pending')).toEqual({ unpublished: 4 });
  });

  it('deletes inbox rows older than the inbox retention and keeps younger ones', async () => {
    await addInbox(6, 30 * 24 + 1, 'old'); // the default keeps 30 days
    await addInbox(3, 30 * 24 - 1, 'recent');
    await addOutbox(2, 25, 'old'); // both tables in one run

    const result = await retention('replica-1').job.runOnce();

    expect(result.deleted).toEqual({ outbox: 2, processed_messages: 6 });
    expect(await inboxRows('old')).toBe(0);
    expect(await inboxRows('recent')).toBe(3);
  });

  it('honours configured retentions', async () => {
    await addOutbox(3, 2, 'two-hours');
    await addInbox(4, 3, 'three-hours');
    await addInbox(1, 1, 'one-hour');

    const { job } = retention('replica-1', { outboxRetentionMs: HOUR, inboxRetentionMs: 2 * HOUR });
    expect((await job.runOnce()).deleted).toEqual({ outbox: 3, processed_messages: 4 });
    expect(await inboxRows('one-hour')).toBe(1);
  });

  it('deletes in batches of batchSize until nothing old is left', async () => {
    await addOutbox(120, 48, 'old');
    await addOutbox(10, 1, 'recent');
    await addInbox(75, 30 * 24, 'old');

    const { job, batches } = retention('replica-1', { batchSize: 50 });
    const result = await job.runOnce();

    expect(result.deleted).toEqual({ outbox: 120, processed_messages: 75 });
    expect(batches).toEqual([
      ['outbox', 50],
      ['outbox', 50],
      ['outbox', 20],
      ['processed_messages', 50],
      ['processed_messages', 25],
    ]);
    expect(await outboxRows('old')).toEqual({});
    expect(await outboxRows('recent')).toEqual({ published: 10 });
  });

  it('runs in one replica at a time: a second runner skips while the first holds the lock', async () => {
    await addOutbox(30, 48, 'old');
    const [{ id }] = await dataSource.query(`SELECT min(id) AS id FROM "${schema.name}".outbox`);

    // Hold a row lock on one old row, so replica-1's DELETE waits on it with the advisory lock taken.
    let releaseRow!: () => void;
    const rowReleased = new Promise<void>((resolve) => (releaseRow = resolve));
    let rowLocked!: () => void;
    const rowHeld = new Promise<void>((resolve) => (rowLocked = resolve));
    const blocker = dataSource.transaction(async (manager) => {
      await manager.query(`SELECT 1 FROM "${schema.name}".outbox WHERE id = $1 FOR UPDATE`, [id]);
      rowLocked();
      await rowReleased;
    });
    await rowHeld;

    const first = retention('replica-1').job.runOnce();
    await waitFor(
      async () => {
        const [{ n }] = await dataSource.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE wait_event_type = 'Lock' AND query LIKE $1`,
          [`DELETE FROM "${schema.name}".outbox%`],
        );
        return n === 1;
      },
      { timeoutMs: 5_000, what: "replica-1's DELETE waiting on the row lock" },
    );

    expect(await lockHolders()).toBe(1);
    const second = await retention('replica-2').job.runOnce();
    expect(second).toEqual({
      ran: false,
      instanceId: 'replica-2',
      reason: 'busy',
      deleted: { outbox: 0, processed_messages: 0 },
    });

    releaseRow();
    await blocker;
    await expect(first).resolves.toMatchObject({ ran: true, deleted: { outbox: 30 } });

    // Unlocked before the connection went back to the pool: no pooled session still holds it.
    expect(await lockHolders()).toBe(0);
    await addOutbox(1, 48, 'old');
    await expect(retention('replica-2').job.runOnce()).resolves.toMatchObject({
      ran: true,
      deleted: { outbox: 1 },
    });
  });

  it('locks per schema: another service schema is not blocked', async () => {
    const other = `${schema.name}_other`;
    await dataSource.query(`CREATE SCHEMA "${other}"`);
    try {
      for (const sql of outboxTablesSql(other)) await dataSource.query(sql);
      const runner = dataSource.createQueryRunner();
      try {
        await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`outbox-retention:${other}`]);
        const job = new OutboxRetention(dataSource, {
          ...resolveRetention({})!,
          schema: schema.name,
          instanceId: 'replica-1',
        });
        await expect(job.runOnce()).resolves.toMatchObject({ ran: true });
        const blocked = new OutboxRetention(dataSource, {
          ...resolveRetention({})!,
          schema: other,
          instanceId: 'replica-1',
        });
        await expect(blocked.runOnce()).resolves.toMatchObject({ ran: false, reason: 'busy' });
      } finally {
        await runner.query('SELECT pg_advisory_unlock_all()');
        await runner.release();
      }
    } finally {
      await dataSource.query(`DROP SCHEMA "${other}" CASCADE`);
    }
  });

  it('deletes each batch by row address (a TID scan, not a second scan of the table)', async () => {
    // Plans depend on table size: an empty table is scanned whole because that is cheapest.
    await addOutbox(20_000, 48);
    await addInbox(20_000, 30 * 24);
    await dataSource.query(`ANALYZE "${schema.name}".outbox, "${schema.name}".processed_messages`);
    for (const table of ['outbox', 'processed_messages'] as const) {
      const [{ 'QUERY PLAN': plan }] = await dataSource.query(
        `EXPLAIN (FORMAT JSON) ${purgeBatchSql(schema.name, table)}`,
        [HOUR, 50],
      );
      expect(JSON.stringify(plan)).toMatch(/"Node Type":"Tid Scan","Parent Relationship":"Outer"/);
    }
  });

  it('stops between batches once stopped', async () => {
    await addOutbox(100, 48, 'old');
    const { job, batches } = retention('replica-1', { batchSize: 10 });
    await job.stop();
    await expect(job.runOnce()).resolves.toMatchObject({ ran: true, deleted: { outbox: 0 } });
    expect(batches).toEqual([]);
    expect(await outboxRows('old')).toEqual({ published: 100 });
  });
});
