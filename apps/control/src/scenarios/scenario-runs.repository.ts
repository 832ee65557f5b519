import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONTROL_CONFIG, type ControlConfig } from '../config';

export type RunStatus = 'running' | 'held' | 'broken' | 'failed';

export interface ScenarioRun {
  id: string;
  scenario: string;
  params: Record<string, unknown>;
  requestedBy: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  figures: Record<string, number | string>;
  invariant: string | null;
  log: string[];
}

interface Row {
  id: string;
  scenario: string;
  params: Record<string, unknown>;
  requested_by: string;
  status: RunStatus;
  started_at: Date;
  ended_at: Date | null;
  figures: Record<string, number | string>;
  invariant: string | null;
  log: string[];
}

const toRun = (row: Row): ScenarioRun => ({
  id: row.id,
  scenario: row.scenario,
  params: row.params,
  requestedBy: row.requested_by,
  status: row.status,
  startedAt: row.started_at.toISOString(),
  endedAt: row.ended_at?.toISOString() ?? null,
  figures: row.figures,
  invariant: row.invariant,
  log: row.log,
});

/** Thrown when a run is already going (the partial unique index allows one 'running' row). */
export class RunInProgressError extends Error {}

@Injectable()
export class ScenarioRunsRepository {
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CONTROL_CONFIG) config: ControlConfig,
  ) {
    this.table = `"${config.DB_SCHEMA}".scenario_runs`;
  }

  async start(scenario: string, params: Record<string, unknown>, requestedBy: string): Promise<ScenarioRun> {
    try {
      const rows: Row[] = await this.dataSource.query(
        `INSERT INTO ${this.table} (scenario, params, requested_by, status) VALUES ($1, $2, $3, 'running') RETURNING *`,
        [scenario, JSON.stringify(params), requestedBy],
      );
      return toRun(rows[0]);
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw new RunInProgressError('a scenario is already running');
      throw error;
    }
  }

  async finish(
    id: string,
    outcome: {
      status: Exclude<RunStatus, 'running'>;
      figures: Record<string, unknown>;
      invariant: string;
      log: string[];
    },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.table} SET status = $2, ended_at = now(), figures = $3, invariant = $4, log = $5 WHERE id = $1`,
      [id, outcome.status, JSON.stringify(outcome.figures), outcome.invariant, JSON.stringify(outcome.log)],
    );
  }

  /** Runs a crashed control left 'running' end as failed at boot (one control replica runs scenarios). */
  async failAbandoned(): Promise<number> {
    // TypeORM answers an UPDATE on Postgres with [rows, affected].
    const [, affected] = await this.dataSource.query<[unknown[], number]>(
      `UPDATE ${this.table} SET status = 'failed', ended_at = now(), invariant = 'not checked: control restarted during the run'
       WHERE status = 'running'`,
    );
    return affected;
  }

  async recent(limit: number): Promise<ScenarioRun[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT * FROM ${this.table} ORDER BY started_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toRun);
  }

  async get(id: string): Promise<ScenarioRun | undefined> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM ${this.table} WHERE id = $1`, [id]);
    return rows[0] ? toRun(rows[0]) : undefined;
  }
}
