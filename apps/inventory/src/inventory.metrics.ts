import { Injectable } from '@nestjs/common';
import { MetricsService } from '@sdp/observability';

export type ReservationOutcome =
  | 'held'
  | 'replayed'
  | 'out_of_stock'
  | 'fenced'
  | 'lock_unavailable'
  | 'lock_busy'
  | 'lock_lost';

/** What a learner watches on /metrics (lock wait and failures come from LockModule). */
@Injectable()
export class InventoryMetrics {
  constructor(private readonly metrics: MetricsService) {}

  readonly reservations = this.metrics.counter(
    'inventory_reservations_total',
    'Reservation requests by outcome.',
    ['outcome'],
  );

  readonly sweeperRuns = this.metrics.counter(
    'inventory_sweeper_runs_total',
    'Sweeper ticks: "ran" where this replica won the cron lock, "skipped" where another held it.',
    ['outcome'],
  );

  readonly holdsReleased = this.metrics.counter(
    'inventory_holds_released_total',
    'Reservations released, by reason (expired = sweeper, cancelled = order.cancelled).',
    ['reason'],
  );

  readonly lateConfirmations = this.metrics.counter(
    'inventory_late_confirmations_total',
    'order.confirmed for an order whose hold was no longer HELD (expired and released first).',
  );
}
