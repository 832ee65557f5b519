import { outboxTablesSql } from '@sdp/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrders1764300000000 implements MigrationInterface {
  name = 'CreateOrders1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'orders';
    await runner.query(`
      CREATE TABLE "${schema}".orders (
        id uuid PRIMARY KEY,
        user_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING_PAYMENT', 'CONFIRMED', 'CANCELLED')),
        total_cents bigint NOT NULL CHECK (total_cents >= 0),
        cancel_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // "My orders, newest first" is the only listing.
    await runner.query(
      `CREATE INDEX orders_user_created_idx ON "${schema}".orders (user_id, created_at DESC, id DESC)`,
    );
    await runner.query(`
      CREATE TABLE "${schema}".order_items (
        order_id uuid NOT NULL REFERENCES "${schema}".orders(id) ON DELETE CASCADE,
        sku text NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        price_cents integer NOT NULL CHECK (price_cents >= 0),
        PRIMARY KEY (order_id, sku)
      )`);
    await runner.query(`
      CREATE TABLE "${schema}".idempotency_keys (
        user_id text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        status text NOT NULL CHECK (status IN ('in_progress', 'done')),
        response_code integer,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
    for (const sql of outboxTablesSql(schema)) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'orders';
    for (const table of ['processed_messages', 'outbox', 'idempotency_keys', 'order_items', 'orders']) {
      await runner.query(`DROP TABLE "${schema}".${table}`);
    }
  }
}
