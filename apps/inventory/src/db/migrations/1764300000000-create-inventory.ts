import { outboxTablesSql } from '@sdp/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateInventory1764300000000 implements MigrationInterface {
  name = 'CreateInventory1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'inventory';
    // The CHECKs are the last line of defence: whatever a buggy or late lock holder does, Postgres
    // refuses negative stock and holds beyond what is on hand.
    await runner.query(`
      CREATE TABLE "${schema}".stock (
        sku text PRIMARY KEY CHECK (sku ~ '^[A-Z0-9-]{3,32}$'),
        on_hand integer NOT NULL CHECK (on_hand >= 0),
        reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        sold integer NOT NULL DEFAULT 0 CHECK (sold >= 0),
        fence bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stock_reserved_within_on_hand CHECK (reserved <= on_hand)
      )`);
    await runner.query(`
      CREATE TABLE "${schema}".reservations (
        order_id uuid NOT NULL,
        sku text NOT NULL REFERENCES "${schema}".stock (sku),
        quantity integer NOT NULL CHECK (quantity > 0),
        status text NOT NULL CHECK (status IN ('HELD', 'COMMITTED', 'RELEASED')),
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (order_id, sku)
      )`);
    // The sweeper's lookup: HELD rows whose expiry has passed, oldest first.
    await runner.query(
      `CREATE INDEX reservations_status_expires_idx ON "${schema}".reservations (status, expires_at)`,
    );
    // Fencing tokens: strictly increasing, issued by the database that checks them.
    await runner.query(`CREATE SEQUENCE "${schema}".fence_seq`);
    for (const sql of outboxTablesSql(schema)) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'inventory';
    for (const table of ['processed_messages', 'outbox', 'reservations', 'stock']) {
      await runner.query(`DROP TABLE "${schema}".${table}`);
    }
    await runner.query(`DROP SEQUENCE "${schema}".fence_seq`);
  }
}
