import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LockService } from '@sdp/locks';
import { PeriodicTask } from '@sdp/scheduling';
import { DataSource } from 'typeorm';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config';
import { InventoryMetrics } from '../inventory.metrics';
import { ReservationsRepository } from '../reservations/reservations.repository';

export const SWEEPER_LOCK = 'cron:reservation-sweeper';
const BATCH = 500;

export interface SweepResult {
  ran: boolean;
  instanceId: string;
  released: number;
  reason?: 'busy' | 'unavailable';
}

/**
 * Distributed cron: every replica ticks, only the one that wins the lock sweeps. Releasing is
 * conditional on status HELD, so even two sweeps at once (lock lost) cannot release a hold twice.
 */
@Injectable()
export class SweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SweeperService.name);
  private readonly task: PeriodicTask;

  constructor(
    private readonly locks: LockService,
    private readonly dataSource: DataSource,
    private readonly reservations: ReservationsRepository,
    private readonly metrics: InventoryMetrics,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
  ) {
    this.task = new PeriodicTask({
      run: () => this.runOnce(),
      intervalMs: config.SWEEPER_INTERVAL_MS,
      onError: (error) => this.logger.warn(`sweep failed, next tick retries: ${String(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** One tick: sweep if this replica wins the cron lock, else skip. */
  async runOnce(): Promise<SweepResult> {
    const instanceId = this.config.INSTANCE_ID;
    const outcome = await this.locks.tryOnce(SWEEPER_LOCK, this.config.LOCK_TTL_MS, async (signal) => {
      let released = 0;
      for (;;) {
        signal.throwIfAborted(); // lock lost: stop; the next winner carries on
        const batch = await this.dataSource.transaction((manager) =>
          this.reservations.releaseExpired(manager, BATCH),
        );
        released += batch;
        if (batch < BATCH) return released;
      }
    });
    if (!outcome.ran) {
      this.metrics.sweeperRuns.inc({ outcome: 'skipped' });
      this.logger.debug(`sweeper skipped on ${instanceId}: lock ${outcome.reason}`);
      return { ran: false, instanceId, released: 0, reason: outcome.reason };
    }
    this.metrics.sweeperRuns.inc({ outcome: 'ran' });
    this.metrics.holdsReleased.inc({ reason: 'expired' }, outcome.value);
    if (outcome.value > 0)
      this.logger.log(`sweeper ran on ${instanceId}: released ${outcome.value} expired hold(s)`);
    else this.logger.debug(`sweeper ran on ${instanceId}: nothing expired`);
    return { ran: true, instanceId, released: outcome.value };
  }
}
