import { outboxTablesSql } from '@sdp/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDelivery1764700000000 implements MigrationInterface {
  name = 'CreateDelivery1764700000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'delivery';
    // A courier is FREE or BUSY with exactly one order (current_order_id set iff BUSY). `fence` is
    // the fencing token of the last dispatcher that wrote the row: a write carrying an older token
    // is refused, so a dispatcher whose lock expired mid-assignment cannot overwrite a newer one.
    await runner.query(`
      CREATE TABLE "${schema}".couriers (
        id text PRIMARY KEY,
        name text NOT NULL,
        status text NOT NULL DEFAULT 'FREE' CHECK (status IN ('FREE', 'BUSY')),
        current_order_id uuid,
        fence bigint NOT NULL DEFAULT 0,
        deliveries integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'BUSY') = (current_order_id IS NOT NULL))
      )`);
    // Fencing tokens: strictly increasing across every replica, taken after the locks are held.
    await runner.query(`CREATE SEQUENCE "${schema}".fence_seq`);
    // One delivery job per confirmed order (UNIQUE order_id: a redelivered order.confirmed adds nothing).
    await runner.query(`
      CREATE TABLE "${schema}".delivery_jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL UNIQUE,
        user_id text NOT NULL,
        status text NOT NULL DEFAULT 'WAITING' CHECK (status IN ('WAITING', 'ASSIGNED', 'DELIVERED')),
        courier_id text REFERENCES "${schema}".couriers(id),
        assigned_by text,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        assigned_at timestamptz,
        deliver_due_at timestamptz,
        delivered_at timestamptz,
        CHECK ((status = 'WAITING') = (courier_id IS NULL))
      )`);
    await runner.query(
      `CREATE INDEX delivery_jobs_waiting_idx ON "${schema}".delivery_jobs (created_at) WHERE status = 'WAITING'`,
    );
    await runner.query(
      `CREATE INDEX delivery_jobs_due_idx ON "${schema}".delivery_jobs (deliver_due_at) WHERE status = 'ASSIGNED'`,
    );
    // The assignment history, and the last word on double assignment: one assignment per order
    // (UNIQUE order_id), one open assignment per courier (partial UNIQUE courier_id WHERE open).
    // Whatever the locks did, the database cannot hold a courier with two orders or an order with two couriers.
    await runner.query(`
      CREATE TABLE "${schema}".assignments (
        id bigserial PRIMARY KEY,
        order_id uuid NOT NULL UNIQUE,
        courier_id text NOT NULL REFERENCES "${schema}".couriers(id),
        fence bigint NOT NULL,
        assigned_by text NOT NULL,
        assigned_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        released_at timestamptz
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX assignments_one_open_per_courier ON "${schema}".assignments (courier_id) WHERE released_at IS NULL`,
    );
    for (const sql of outboxTablesSql(schema)) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'delivery';
    for (const table of ['processed_messages', 'outbox', 'assignments', 'delivery_jobs', 'couriers']) {
      await runner.query(`DROP TABLE "${schema}".${table}`);
    }
    await runner.query(`DROP SEQUENCE "${schema}".fence_seq`);
  }
}
