import { Injectable } from '@nestjs/common';
import { MetricsService } from '@sdp/observability';
import type { Counter } from 'prom-client';

export type ReservationOutcome =
  'held' | 'replayed' | 'out_of_stock' | 'fenced' | 'lock_unavailable' | 'lock_busy' | 'lock_lost';

/** What a learner watches on /metrics (lock wait and failures come from LockModule). */
@Injectable()
export class InventoryMetrics {
  readonly reservations: Counter<'outcome'>;
  readonly sweeperRuns: Counter<'outcome'>;
  readonly holdsReleased: Counter<'reason'>;
  readonly lateConfirmations: Counter<'outcome'>;

  constructor(metrics: MetricsService) {
    this.reservations = metrics.counter('inventory_reservations_total', 'Reservation requests by outcome.', [
      'outcome',
    ]);
    this.sweeperRuns = metrics.counter(
      'inventory_sweeper_runs_total',
      'Sweeper ticks: "ran" where this replica won the cron lock, "skipped" where another held it.',
      ['outcome'],
    );
    this.holdsReleased = metrics.counter(
      'inventory_holds_released_total',
      'Reservations released, by reason (expired = sweeper, cancelled = order.cancelled).',
      ['reason'],
    );
    this.lateConfirmations = metrics.counter(
      'inventory_late_confirmations_total',
      'order.confirmed for an order whose hold had expired: sold from available stock, short, or no reservation.',
      ['outcome'],
    );
  }
}
