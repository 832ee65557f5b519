import { Injectable } from '@nestjs/common';
import { MetricsService } from '@sdp/observability';
import type { Counter, Gauge, Histogram } from 'prom-client';

export type AssignOutcome =
  'assigned' | 'job_busy' | 'courier_busy' | 'stale' | 'rejected' | 'lock_unavailable' | 'lock_lost';

/** What a learner watches on /metrics (lock waits and failures also come from LockModule: lock_*). */
@Injectable()
export class DeliveryMetrics {
  readonly assignments: Counter;
  readonly attempts: Counter<'outcome'>;
  readonly lockContention: Counter<'resource'>;
  readonly doubleAssignmentsRejected: Counter<'guard'>;
  readonly waitForCourier: Histogram;
  readonly offersInFlight: Gauge;
  readonly delivered: Counter;
  readonly jobsCreated: Counter;
  readonly jobsCancelled: Counter<'outcome'>;

  constructor(metrics: MetricsService) {
    this.assignments = metrics.counter(
      'delivery_assignments_total',
      'Delivery jobs this replica matched to a courier.',
    );
    this.attempts = metrics.counter(
      'delivery_assign_attempts_total',
      'Assignment attempts by outcome: assigned, job_busy / courier_busy (another dispatcher holds the lock), ' +
        'stale (the job or courier changed before we locked it), rejected (the database refused a double assignment), ' +
        'lock_unavailable, lock_lost.',
      ['outcome'],
    );
    this.lockContention = metrics.counter(
      'delivery_lock_contention_total',
      'Locks found held by another dispatcher (the dispatcher moves on to another job or courier instead of waiting).',
      ['resource'],
    );
    this.doubleAssignmentsRejected = metrics.counter(
      'delivery_double_assignments_rejected_total',
      'Assignments Postgres refused although the dispatcher believed it held the locks (fence or conditional UPDATE or unique index).',
      ['guard'],
    );
    this.waitForCourier = metrics.histogram(
      'delivery_wait_for_courier_seconds',
      'From the delivery job being created (order confirmed) to a courier being assigned.',
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    );
    this.offersInFlight = metrics.gauge(
      'delivery_offers_in_flight',
      'Assignments in progress in this replica: courier and job locks held, the courier not yet recorded.',
    );
    this.delivered = metrics.counter(
      'delivery_delivered_total',
      'Deliveries completed (courier free again).',
    );
    this.jobsCreated = metrics.counter(
      'delivery_jobs_created_total',
      'Delivery jobs created from order.confirmed (redeliveries excluded).',
    );
    this.jobsCancelled = metrics.counter(
      'delivery_jobs_cancelled_total',
      'order.cancelled applied, by what it found: waiting (job cancelled), assigned (courier freed too), ' +
        'before_confirm (tombstone: the late order.confirmed creates no job), never_confirmed, delivered, already.',
      ['outcome'],
    );
  }
}
