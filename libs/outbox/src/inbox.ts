import type { EntityManager } from 'typeorm';

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
