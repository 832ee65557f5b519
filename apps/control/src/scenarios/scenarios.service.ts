import {
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { CdnRegionsScenario } from './cdn-regions.scenario';
import { FlashSaleScenario } from './flash-sale.scenario';
import { KillReplicaScenario } from './kill-replica.scenario';
import { OriginDownScenario } from './origin-down.scenario';
import { PaymentFailuresScenario } from './payment-failures.scenario';
import { WriteStrategyScenario } from './write-strategy.scenario';
import { CacheDownScenario } from './cache-down.scenario';
import { KafkaDownScenario } from './kafka-down.scenario';
import { LockNodesScenario } from './lock-nodes.scenario';
import type { Scenario, ScenarioParams } from './scenario';
import { RunInProgressError, ScenarioRunsRepository, type ScenarioRun } from './scenario-runs.repository';

export interface ScenarioView {
  name: string;
  title: string;
  description: string;
  enabled: boolean;
  /** Why the button is disabled. */
  reason?: string;
}

/** Starts scenarios one at a time, records each run, and knows the one in flight. */
@Injectable()
export class ScenariosService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScenariosService.name);
  private readonly scenarios: Scenario[];
  private active: { run: ScenarioRun; done: Promise<void> } | undefined;

  constructor(
    private readonly runs: ScenarioRunsRepository,
    flashSale: FlashSaleScenario,
    killReplica: KillReplicaScenario,
    paymentFailures: PaymentFailuresScenario,
    originDown: OriginDownScenario,
    writeStrategy: WriteStrategyScenario,
    lockNodes: LockNodesScenario,
    kafkaDown: KafkaDownScenario,
    cacheDown: CacheDownScenario,
    cdnRegions: CdnRegionsScenario,
  ) {
    this.scenarios = [
      flashSale,
      killReplica,
      paymentFailures,
      originDown,
      writeStrategy,
      lockNodes,
      kafkaDown,
      cacheDown,
      cdnRegions,
    ];
  }

  async onApplicationBootstrap(): Promise<void> {
    const abandoned = await this.runs.failAbandoned();
    if (abandoned) this.logger.warn(`${abandoned} run(s) left running by a previous control marked failed`);
  }

  list(): ScenarioView[] {
    return this.scenarios.map((s) => {
      const reason = s.unavailable();
      return {
        name: s.name,
        title: s.title,
        description: s.description,
        enabled: !reason,
        ...(reason ? { reason } : {}),
      };
    });
  }

  /** The run in flight, with its log so far. */
  current(): ScenarioRun | undefined {
    return this.active?.run;
  }

  async start(name: string, params: ScenarioParams, requestedBy: string): Promise<ScenarioRun> {
    const scenario = this.scenarios.find((s) => s.name === name);
    if (!scenario) throw new NotFoundException(`no scenario named ${name}`);
    const reason = scenario.unavailable();
    if (reason) throw new ConflictException(`scenario ${name} cannot run here: ${reason}`);
    const prepared = scenario.prepare(params);
    if (this.active) throw new ConflictException(`scenario ${this.active.run.scenario} is already running`);
    let run: ScenarioRun;
    try {
      run = await this.runs.start(name, prepared as Record<string, unknown>, requestedBy);
    } catch (error) {
      if (error instanceof RunInProgressError) throw new ConflictException(error.message);
      throw error;
    }
    const log = (line: string) => {
      run.log.push(`${new Date().toISOString().slice(11, 19)} ${line}`);
      this.logger.log(`${name} ${run.id}: ${line}`);
    };
    const done = (async () => {
      try {
        const result = await scenario.run(prepared, { runId: run.id, log });
        log(`invariant ${result.held ? 'HELD' : 'BROKEN'}: ${result.invariant}`);
        await this.runs.finish(run.id, {
          status: result.held ? 'held' : 'broken',
          figures: result.figures,
          invariant: result.invariant,
          log: run.log,
        });
      } catch (error) {
        log(`failed: ${error instanceof Error ? error.message : String(error)}`);
        await this.runs
          .finish(run.id, {
            status: 'failed',
            figures: {},
            invariant: 'not checked: the run failed',
            log: run.log,
          })
          .catch((e: unknown) => this.logger.error(`cannot record the end of run ${run.id}: ${String(e)}`));
      } finally {
        this.active = undefined;
      }
    })();
    this.active = { run, done };
    return run;
  }

  async recent(limit = 20): Promise<ScenarioRun[]> {
    return this.runs.recent(limit);
  }

  async get(id: string): Promise<ScenarioRun> {
    if (this.active?.run.id === id) return this.active.run;
    const run = await this.runs.get(id);
    if (!run) throw new NotFoundException(`no scenario run ${id}`);
    return run;
  }

  /** A run in flight finishes (and heals what it broke) before the app closes. */
  async onApplicationShutdown(): Promise<void> {
    await this.active?.done;
  }
}
