import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRefunds1764600000000 implements MigrationInterface {
  name = 'CreateRefunds1764600000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'payments';
    // Full refunds only: at most one per payment, enforced by the database (UNIQUE payment_id).
    await runner.query(`
      CREATE TABLE "${schema}".refunds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        payment_id uuid NOT NULL UNIQUE REFERENCES "${schema}".payments(id),
        order_id uuid NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded')),
        reason text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The simulated provider's refunds (its database, like psp_charges): one per key, one per charge.
    await runner.query(`
      CREATE TABLE "${schema}".psp_refunds (
        idempotency_key text PRIMARY KEY,
        charge_key text NOT NULL UNIQUE REFERENCES "${schema}".psp_charges(idempotency_key),
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'payments';
    for (const table of ['psp_refunds', 'refunds']) await runner.query(`DROP TABLE "${schema}".${table}`);
  }
}
