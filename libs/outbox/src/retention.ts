import type { DataSource, QueryRunner } from 'typeorm';
import { PeriodicTask } from '@sdp/scheduling';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface RetentionSettings {
  /** Published outbox rows are kept this long, for inspection only: the relay never reads them again. */
  outboxRetentionMs: number;
  /**
   * Inbox rows (processed_messages) are kept this long. Once a row is gone, a redelivery of its event
   * would be processed again, so this must exceed how long Kafka can redeliver an event: as long as
   * it is on its topic (consumers here start fromBeginning, so a new group, a reset, or a group whose
   * offsets expired rereads it). That is the topic retention (24 h in infra/local, Kafka's default
   * 7 days in compose) plus up to one segment's span, since Kafka deletes whole segments.
   */
  inboxRetentionMs: number;
  /** How often each replica tries; only the one that gets the advisory lock deletes. */
  intervalMs: number;
  /** Rows per DELETE: each batch is its own short transaction. */
  batchSize: number;
}

export const defaultRetention: RetentionSettings = {
  outboxRetentionMs: DAY,
  inboxRetentionMs: 30 * DAY, // > 7 days of compose topic retention + a 7-day segment span
  intervalMs: 10 * MINUTE,
  batchSize: 5_000,
};

/** Fills in the defaults; `false` disables retention (returns undefined). */
export function resolveRetention(
  options: Partial<RetentionSettings> | false | undefined,
): RetentionSettings | undefined {
  if (options === false) return undefined;
  const settings = { ...defaultRetention, ...options };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`outbox retention: ${name} must be a positive integer, got ${String(value)}`);
  }
  return settings;
}

export type RetentionTable = 'outbox' | 'processed_messages';

export interface RetentionResult {
  /** false when another replica held the lock ("busy"). */
  ran: boolean;
  instanceId: string;
  deleted: Record<RetentionTable, number>;
  reason?: 'busy';
}

export interface OutboxRetentionOptions extends RetentionSettings {
  schema: string;
  /** This replica, for the logs (e.g. "orders-1"). */
  instanceId: string;
  /** After each batch, so a long purge shows progress. */
  onDeleted?: (table: RetentionTable, count: number) => void;
  onRun?: (result: RetentionResult) => void;
  onError?: (error: unknown) => void;
}

/**
 * Deletes published outbox rows and inbox rows past their retention. Distributed cron: every
 * replica ticks, only the one holding a Postgres advisory lock keyed by the schema deletes.
 *
 * Why an advisory lock here while the inventory sweeper uses Redlock (apps/inventory/src/sweeper):
 * the data and the lock live in the same Postgres, and the lock is held by the very session that
 * runs the DELETEs. It lasts exactly as long as that session: no TTL to outlive, no clock to trust,
 * no Redis to depend on, and a crashed replica's lock goes with its connection. Deleting is
 * idempotent anyway, so the lock only saves two replicas from doing (and fighting over) the same work.
 */
export class OutboxRetention {
  private task: PeriodicTask | undefined;
  /** Set by stop(): a purge in flight ends after its current batch. */
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: OutboxRetentionOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.task ??= new PeriodicTask({
      run: async () => this.options.onRun?.(await this.runOnce()),
      intervalMs: this.options.intervalMs,
      // Jittered first run: replicas booted together do not all try at once, and a replica
      // restarted more often than the interval still gets its turn.
      firstRunAfterMs: Math.floor(Math.random() * this.options.intervalMs),
      onError: (error) => this.options.onError?.(error),
    });
    this.task.start();
  }

  /** Stops after the batch in flight; the next run (any replica) carries on. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.task?.stop();
  }

  /** One run: purge both tables if this replica gets the lock, else skip. */
  async runOnce(): Promise<RetentionResult> {
    const { instanceId, schema } = this.options;
    const deleted: Record<RetentionTable, number> = { outbox: 0, processed_messages: 0 };
    const lock = `outbox-retention:${schema}`;
    // One pinned pooled connection: a session-level lock, and every batch on that same session.
    const runner = this.dataSource.createQueryRunner();
    try {
      const [{ locked }] = (await runner.query(tryLockSql, [lock])) as { locked: boolean }[];
      if (!locked) return { ran: false, instanceId, deleted, reason: 'busy' };
      try {
        deleted.outbox = await this.purge(runner, 'outbox', this.options.outboxRetentionMs);
        deleted.processed_messages = await this.purge(
          runner,
          'processed_messages',
          this.options.inboxRetentionMs,
        );
      } finally {
        await unlock(runner, lock);
      }
      return { ran: true, instanceId, deleted };
    } finally {
      await runner.release();
    }
  }

  /**
   * Deletes in batches of batchSize, each its own autocommit statement, so no transaction holds
   * many row locks or a long-lived snapshot (which would keep vacuum from reclaiming anything).
   */
  private async purge(runner: QueryRunner, table: RetentionTable, olderThanMs: number): Promise<number> {
    const sql = purgeBatchSql(this.options.schema, table);
    let total = 0;
    while (!this.stopped) {
      const { affected = 0 } = await runner.query(sql, [olderThanMs, this.options.batchSize], true);
      total += affected;
      if (affected > 0) this.options.onDeleted?.(table, affected);
      if (affected < this.options.batchSize) break;
    }
    return total;
  }
}

const tryLockSql = 'SELECT pg_try_advisory_lock(hashtext($1)) AS locked';

const ageColumn: Record<RetentionTable, string> = {
  outbox: 'published_at',
  processed_messages: 'processed_at',
};

/**
 * One batch: up to $2 rows whose age column is more than $1 ms old. ctid = ANY(ARRAY(...)) deletes
 * by physical row address (a TID scan, no index needed); the outer condition is re-checked against
 * the current row version should it have changed meanwhile. The cutoff uses the database clock,
 * the one that wrote published_at and processed_at. `published_at < cutoff` is never true for
 * NULL, so unpublished outbox rows are never deleted.
 */
export function purgeBatchSql(schema: string, table: RetentionTable): string {
  const target = `"${schema}".${table}`;
  const expired = `${ageColumn[table]} < now() - $1 * interval '1 millisecond'`;
  return `DELETE FROM ${target}
    WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${target} WHERE ${expired} LIMIT $2)) AND ${expired}`;
}

/**
 * A session lock outlives the pooled connection's checkout: a connection handed back to the pool
 * still holding it would lock every replica out for as long as it stays open. If unlocking fails,
 * close the connection instead (the pool then discards it and Postgres drops its locks).
 */
async function unlock(runner: QueryRunner, lock: string): Promise<void> {
  try {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]);
  } catch (error) {
    const connection = (await runner.connect()) as { end(): Promise<void> };
    await connection.end().catch(() => undefined);
    throw error;
  }
}
