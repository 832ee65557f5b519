import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '@sdp/scheduling';
import { DELIVERY_CONFIG, type DeliveryConfig } from '../config';
import { DeliveryMetrics } from '../delivery.metrics';
import { AssignmentsRepository } from './assignments.repository';

const BATCH = 50;

/**
 * The couriers' side: a delivery is done DELIVERY_TIME_MS after its assignment, and the courier is
 * free again. Every replica runs it; FOR UPDATE SKIP LOCKED keeps two from completing the same one,
 * so it needs no lock of its own (the rows are the lock).
 */
@Injectable()
export class CompletionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CompletionService.name);
  private readonly task: PeriodicTask;

  constructor(
    private readonly repository: AssignmentsRepository,
    private readonly metrics: DeliveryMetrics,
    @Inject(DELIVERY_CONFIG) config: DeliveryConfig,
  ) {
    this.task = new PeriodicTask({
      run: () => this.runOnce(),
      intervalMs: config.COMPLETION_INTERVAL_MS,
      onError: (error) =>
        this.logger.warn(`completing deliveries failed, next round retries: ${String(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const done = await this.repository.completeDue(BATCH);
      total += done.length;
      this.metrics.delivered.inc(done.length);
      for (const d of done) this.logger.log(`order ${d.orderId} delivered by ${d.courierId}; courier free`);
      if (done.length < BATCH) return total;
    }
  }
}
