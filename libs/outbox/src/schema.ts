/**
 * The two tables every event-driven service has, created by the service's own migration:
 * - outbox: events written in the same transaction as the change they describe, published later;
 * - processed_messages: the inbox, one row per consumed event, written in the same transaction as
 *   the event's effect, so a redelivered event is recognised and skipped.
 */
export function outboxTablesSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}".outbox (
       id bigserial PRIMARY KEY,
       topic text NOT NULL,
       key text NOT NULL,
       envelope jsonb NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       published_at timestamptz
     )`,
    // The relay only ever looks for unpublished rows: keep that lookup small as the table grows.
    `CREATE INDEX outbox_unpublished_idx ON "${schema}".outbox (id) WHERE published_at IS NULL`,
    `CREATE TABLE "${schema}".processed_messages (
       consumer text NOT NULL,
       event_id uuid NOT NULL,
       processed_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (consumer, event_id)
     )`,
  ];
}
