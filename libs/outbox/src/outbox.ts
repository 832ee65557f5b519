import type { EventEnvelope } from '@sdp/messaging';
import type { EntityManager } from 'typeorm';

/**
 * Records an event to publish, inside the caller's transaction: the event exists if and only if
 * the change it describes was committed. The relay publishes it afterwards (at least once).
 */
export async function appendToOutbox(
  manager: EntityManager,
  schema: string,
  topic: string,
  envelope: EventEnvelope,
): Promise<void> {
  await manager.query(`INSERT INTO "${schema}".outbox (topic, key, envelope) VALUES ($1, $2, $3)`, [
    topic,
    envelope.key,
    JSON.stringify(envelope),
  ]);
}
