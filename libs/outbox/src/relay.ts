import type { EventEnvelope, EventPublisher } from '@sdp/messaging';
import { PeriodicTask } from '@sdp/scheduling';
import type { DataSource } from 'typeorm';

export interface OutboxRelayOptions {
  schema: string;
  /** Maps an event topic to the real topic name (e.g. adds a test prefix). */
  topicName?: (topic: string) => string;
  intervalMs?: number;
  batchSize?: number;
  onPublished?: (count: number) => void;
  onError?: (error: unknown) => void;
}

const DEFAULT_BATCH_SIZE = 200;

interface OutboxRow {
  id: string;
  topic: string;
  envelope: EventEnvelope;
}

/**
 * Publishes outbox rows to Kafka. Each batch is claimed with `FOR UPDATE SKIP LOCKED` inside a
 * transaction, so several replicas relay side by side without publishing the same row twice in the
 * normal case; rows are marked published only after Kafka acknowledged them. A crash between the
 * ack and the commit republishes the batch: delivery is at least once, consumers deduplicate.
 */
export class OutboxRelay {
  private readonly task: PeriodicTask;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly options: OutboxRelayOptions,
  ) {
    this.task = new PeriodicTask({
      run: () => this.drain(),
      intervalMs: options.intervalMs ?? 100,
      firstRunAfterMs: 0,
      onError: (error) => options.onError?.(error),
    });
  }

  start(): void {
    this.task.start();
  }

  /** Stops after the batch in flight. */
  async stop(): Promise<void> {
    await this.task.stop();
  }

  /** Publishes until the outbox is empty; returns how many events went out. */
  async drain(): Promise<number> {
    // Most polls find nothing: one indexed read answers that, where a claim would cost a whole
    // transaction (BEGIN, SELECT ... FOR UPDATE, COMMIT) ten times a second in every replica.
    if (!(await this.hasPending())) return 0;
    // A batch smaller than a full one means the outbox was empty as of that claim (rows another
    // replica holds are its to publish): stop there instead of paying a transaction to find nothing.
    // Rows written meanwhile go out on the next tick.
    const { batchSize = DEFAULT_BATCH_SIZE } = this.options;
    let total = 0;
    for (;;) {
      const published = await this.relayBatch();
      total += published;
      if (published < batchSize) return total;
    }
  }

  private async hasPending(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM "${this.options.schema}".outbox WHERE published_at IS NULL LIMIT 1`,
    );
    return rows.length > 0;
  }

  async relayBatch(): Promise<number> {
    const { schema, batchSize = DEFAULT_BATCH_SIZE } = this.options;
    const topicName = this.options.topicName ?? ((topic: string) => topic);
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, topic, envelope FROM "${schema}".outbox
         WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, EventEnvelope[]>();
      for (const row of rows) {
        const topic = topicName(row.topic);
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), row.envelope]);
      }
      for (const [topic, envelopes] of byTopic) await this.publisher.publishMany(topic, envelopes);
      await manager.query(`UPDATE "${schema}".outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [
        rows.map((r) => r.id),
      ]);
      this.options.onPublished?.(rows.length);
      return rows.length;
    });
  }
}
