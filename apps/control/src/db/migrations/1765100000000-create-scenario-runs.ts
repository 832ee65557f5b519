import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateScenarioRuns1765100000000 implements MigrationInterface {
  name = 'CreateScenarioRuns1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'control';
    // One row per scenario run: what was asked, when it started and ended, the figures it measured,
    // whether its invariant held and the line that says so. status: running → held | broken | failed.
    await runner.query(`
      CREATE TABLE "${schema}".scenario_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scenario text NOT NULL,
        params jsonb NOT NULL,
        requested_by text NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'held', 'broken', 'failed')),
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        figures jsonb NOT NULL DEFAULT '{}'::jsonb,
        invariant text,
        log jsonb NOT NULL DEFAULT '[]'::jsonb
      )`);
    await runner.query(
      `CREATE INDEX scenario_runs_started_idx ON "${schema}".scenario_runs (started_at DESC)`,
    );
    // At most one run at a time across every control replica: two fault scenarios must not overlap.
    await runner.query(
      `CREATE UNIQUE INDEX scenario_runs_one_running ON "${schema}".scenario_runs ((true)) WHERE status = 'running'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'control';
    await runner.query(`DROP TABLE "${schema}".scenario_runs`);
  }
}
