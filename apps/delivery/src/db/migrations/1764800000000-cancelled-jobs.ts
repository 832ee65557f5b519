import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery job can be CANCELLED (its order was cancelled, apps/delivery/src/jobs/order-cancelled.consumer.ts).
 * A cancelled job keeps the courier it had, if any (the history), and a cancellation that arrives
 * before the confirmation leaves a CANCELLED row with no courier: a tombstone that stops the late
 * order.confirmed from creating a job (its INSERT hits UNIQUE order_id and does nothing).
 */
export class CancelledJobs1764800000000 implements MigrationInterface {
  name = 'CancelledJobs1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    const t = `"${runner.connection.driver.schema ?? 'delivery'}".delivery_jobs`;
    await runner.query(`ALTER TABLE ${t} DROP CONSTRAINT delivery_jobs_status_check`);
    await runner.query(`ALTER TABLE ${t} DROP CONSTRAINT delivery_jobs_check`);
    await runner.query(`ALTER TABLE ${t} ADD COLUMN cancelled_at timestamptz, ADD COLUMN cancel_reason text`);
    await runner.query(
      `ALTER TABLE ${t} ADD CONSTRAINT delivery_jobs_status_check
       CHECK (status IN ('WAITING', 'ASSIGNED', 'DELIVERED', 'CANCELLED'))`,
    );
    // WAITING: no courier yet; ASSIGNED / DELIVERED: a courier; CANCELLED: either.
    await runner.query(
      `ALTER TABLE ${t} ADD CONSTRAINT delivery_jobs_courier_check
       CHECK (status = 'CANCELLED' OR (status = 'WAITING') = (courier_id IS NULL))`,
    );
    await runner.query(
      `ALTER TABLE ${t} ADD CONSTRAINT delivery_jobs_cancelled_check
       CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const t = `"${runner.connection.driver.schema ?? 'delivery'}".delivery_jobs`;
    await runner.query(`DELETE FROM ${t} WHERE status = 'CANCELLED'`);
    for (const name of [
      'delivery_jobs_cancelled_check',
      'delivery_jobs_courier_check',
      'delivery_jobs_status_check',
    ]) {
      await runner.query(`ALTER TABLE ${t} DROP CONSTRAINT ${name}`);
    }
    await runner.query(`ALTER TABLE ${t} DROP COLUMN cancelled_at, DROP COLUMN cancel_reason`);
    await runner.query(
      `ALTER TABLE ${t} ADD CONSTRAINT delivery_jobs_status_check CHECK (status IN ('WAITING', 'ASSIGNED', 'DELIVERED'))`,
    );
    await runner.query(
      `ALTER TABLE ${t} ADD CONSTRAINT delivery_jobs_check CHECK ((status = 'WAITING') = (courier_id IS NULL))`,
    );
  }
}
