import { Injectable } from '@nestjs/common';
import { MetricsService, secondsSince } from '@sdp/observability';
import type { Counter, Histogram } from 'prom-client';

export type BidOutcome =
  | 'accepted'
  | 'too_low'
  | 'ended'
  | 'not_found'
  | 'contention'
  | 'fenced'
  | 'lock_unavailable'
  | 'lock_busy'
  | 'lock_lost'
  | 'error';

/** What a learner watches on /metrics during an auction's last second (lock waits come from LockModule). */
@Injectable()
export class AuctionsMetrics {
  readonly bids: Counter<'strategy' | 'outcome'>;
  readonly bidSeconds: Histogram<'strategy' | 'outcome'>;
  readonly casConflicts: Counter;
  readonly closerRuns: Counter<'outcome'>;
  readonly closed: Counter<'result'>;

  constructor(metrics: MetricsService) {
    this.bids = metrics.counter('auctions_bids_total', 'Bids by strategy (lock or cas) and outcome.', [
      'strategy',
      'outcome',
    ]);
    this.bidSeconds = metrics.histogram(
      'auctions_bid_duration_seconds',
      'Bid latency, queueing for the lock or retrying the compare-and-set included, by strategy and outcome.',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ['strategy', 'outcome'],
    );
    this.casConflicts = metrics.counter(
      'auctions_cas_conflicts_total',
      'Compare-and-set writes that found the auction row changed since it was read (the bid is re-checked and retried).',
    );
    this.closerRuns = metrics.counter(
      'auctions_closer_runs_total',
      'Closing-job ticks: "ran" where this replica won the cron lock, "skipped" where another held it.',
      ['outcome'],
    );
    this.closed = metrics.counter(
      'auctions_closed_total',
      'Auctions closed, with a winner or without bids.',
      ['result'],
    );
  }

  bid(strategy: string, outcome: BidOutcome, startedAt: bigint): void {
    this.bids.inc({ strategy, outcome });
    this.bidSeconds.observe({ strategy, outcome }, secondsSince(startedAt));
  }
}
