import type { DataSource, EntityManager } from 'typeorm';

/**
 * Claims an event for a consumer inside the caller's transaction. Returns false when this consumer
 * already processed the event (a redelivery): the caller then skips the effect. Because the claim
 * and the effect commit together, a crash between them leaves neither, and the redelivery redoes both.
 */
export async function claimEvent(
  manager: EntityManager,
  schema: string,
  consumer: string,
  eventId: string,
): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO "${schema}".processed_messages (consumer, event_id) VALUES ($1, $2)
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [consumer, eventId],
  );
  return rows.length === 1;
}

/**
 * One consumer's inbox. `once(eventId, work)` claims the event and runs `work` in the same
 * transaction, so the claim, the work and any outbox rows it appends commit together (or not at
 * all, and the redelivery redoes them). It answers 'duplicate', without running `work`, when this
 * consumer already processed the event.
 */
export class Inbox {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    /** The consumer's name in processed_messages, e.g. `orders.payment-outcome`. */
    readonly consumer: string,
  ) {}

  once<T>(eventId: string, work: (manager: EntityManager) => Promise<T>): Promise<T | 'duplicate'> {
    return this.dataSource.transaction(async (manager) =>
      (await claimEvent(manager, this.schema, this.consumer, eventId))
        ? work(manager)
        : ('duplicate' as const),
    );
  }
}
