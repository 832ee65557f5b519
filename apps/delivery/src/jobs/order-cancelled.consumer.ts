import { Inject, Injectable, Logger } from '@nestjs/common';
import { OrderCancelled } from '@sdp/contracts';
import { LockService } from '@sdp/locks';
import { ConsumeEvents, withRetry, type ConsumedEvent, type RetryPolicy } from '@sdp/messaging';
import { Inbox } from '@sdp/outbox';
import { consumerGroups } from '@sdp/topology';
import { DataSource } from 'typeorm';
import { DELIVERY_CONFIG, type DeliveryConfig } from '../config';
import { DeliveryMetrics } from '../delivery.metrics';
import { AssignmentsRepository } from '../dispatch/assignments.repository';
import { courierLock, jobLock, lockHolder, type LockHolder } from '../dispatch/lock-holder';
import { CancellationsRepository, type CancelOutcome, type JobState } from './cancellations.repository';

/** A dispatcher holds a job's lock for one offer at a time (ASSIGN_OFFER_MS): wait a few of those. */
const LOCK_RETRY: RetryPolicy = { retries: 8, initialDelayMs: 50, maxDelayMs: 1_000 };

class LockBusyError extends Error {
  constructor(resource: string) {
    super(`${resource} is held by a dispatcher; retried`);
  }
}

/**
 * A cancelled order needs no courier: its job is cancelled and an assigned courier freed. Takes
 * the dispatcher's own locks (job first, then courier, both tryOnce, so it never waits while
 * holding and cannot deadlock with a dispatcher) and writes in the inbox transaction, re-checking
 * the job in Postgres; the courier is freed with a fencing token like an assignment. A cancellation
 * of a confirmed order (confirmedAt set) that arrives before its order.confirmed (another topic:
 * Kafka orders nothing across topics) leaves a CANCELLED tombstone, so the late confirmation creates
 * no job; CANCELLED is final in orders. An order cancelled before confirmation (a failed payment)
 * never has an order.confirmed: nothing to do.
 */
@Injectable()
export class OrderCancelledConsumer {
  private readonly logger = new Logger(OrderCancelledConsumer.name);
  private readonly inbox: Inbox;
  private readonly hold: LockHolder;

  constructor(
    dataSource: DataSource,
    locks: LockService,
    private readonly repository: CancellationsRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly metrics: DeliveryMetrics,
    @Inject(DELIVERY_CONFIG) config: DeliveryConfig,
  ) {
    this.inbox = new Inbox(dataSource, config.DB_SCHEMA, 'delivery.order-cancelled');
    this.hold = lockHolder(locks, config);
  }

  @ConsumeEvents({ group: consumerGroups.delivery.orderCancelled, events: [OrderCancelled] })
  async handle(envelope: ConsumedEvent<typeof OrderCancelled>): Promise<void> {
    const { orderId } = envelope.data;
    const done: { outcome?: CancelOutcome | 'duplicate' } = {};
    const result = await withRetry(async () => {
      done.outcome = await this.cancel(envelope, await this.repository.jobOf(orderId));
    }, LOCK_RETRY);
    if (!result.ok) throw result.error;
    const outcome = done.outcome!;
    if (outcome === 'duplicate') {
      this.logger.debug(`order ${orderId}: cancellation already applied (redelivery skipped)`);
      return;
    }
    this.metrics.jobsCancelled.inc({ outcome });
    this.logger.log(`order ${orderId}: delivery cancelled (${outcome})`);
  }

  private cancel(
    envelope: ConsumedEvent<typeof OrderCancelled>,
    job: JobState | null,
  ): Promise<CancelOutcome | 'duplicate'> {
    const { orderId, userId, reason } = envelope.data;
    const write = (fence?: string) =>
      this.inbox.once(envelope.id, (manager) =>
        this.repository.cancelIn(manager, {
          orderId,
          userId,
          reason,
          expected: job,
          wasConfirmed: envelope.data.confirmedAt !== undefined,
          fence,
          requestId: envelope.requestId,
        }),
      );
    // No job, or a final one: no dispatcher can be matching it.
    if (job?.status !== 'WAITING' && job?.status !== 'ASSIGNED') return write();
    const courierId = job.courierId;
    return this.held(jobLock(job.id), () =>
      courierId
        ? this.held(courierLock(courierId), async () => write(await this.assignments.nextFence()))
        : write(),
    );
  }

  private async held<T>(resource: string, fn: () => Promise<T>): Promise<T> {
    const attempt = await this.hold(resource, fn);
    if (!attempt.ran) throw new LockBusyError(resource);
    return attempt.value;
  }
}
