import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNotifications1764500000000 implements MigrationInterface {
  name = 'CreateNotifications1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'notifications';
    // event_id UNIQUE is the inbox: a redelivered event inserts nothing. seq orders a user's
    // notifications for Last-Event-ID replay (uuids have no order).
    await runner.query(`
      CREATE TABLE "${schema}".notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigserial NOT NULL UNIQUE,
        event_id uuid NOT NULL UNIQUE,
        user_id text NOT NULL,
        order_id uuid NOT NULL,
        type text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE INDEX notifications_user_seq_idx ON "${schema}".notifications (user_id, seq DESC)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'notifications';
    await runner.query(`DROP TABLE "${schema}".notifications`);
  }
}
