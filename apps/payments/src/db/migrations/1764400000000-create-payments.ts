import { outboxTablesSql } from '@sdp/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePayments1764400000000 implements MigrationInterface {
  name = 'CreatePayments1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'payments';
    // One payment per order, enforced by the database (UNIQUE order_id), not by the consumer's care.
    await runner.query(`
      CREATE TABLE "${schema}".payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL UNIQUE,
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        failure_reason text,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The simulated provider's own ledger (stands in for the PSP's database): one row per idempotency key.
    await runner.query(`
      CREATE TABLE "${schema}".psp_charges (
        idempotency_key text PRIMARY KEY,
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        outcome text NOT NULL CHECK (outcome IN ('approved', 'declined')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    for (const sql of outboxTablesSql(schema)) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'payments';
    for (const table of ['processed_messages', 'outbox', 'psp_charges', 'payments']) {
      await runner.query(`DROP TABLE "${schema}".${table}`);
    }
  }
}
