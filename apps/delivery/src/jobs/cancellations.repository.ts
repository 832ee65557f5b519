import { Inject, Injectable } from '@nestjs/common';
import { DeliveryCancelled } from '@sdp/contracts';
import { appendToOutbox } from '@sdp/outbox';
import { DataSource, type EntityManager } from 'typeorm';
import { DELIVERY_CONFIG, type DeliveryConfig } from '../config';

export interface JobState {
  id: string;
  status: 'WAITING' | 'ASSIGNED' | 'DELIVERED' | 'CANCELLED';
  courierId: string | null;
}

export interface CancelRequest {
  orderId: string;
  userId: string;
  reason: string;
  /** The job as read before the locks were taken (null: none yet). The write refuses if it changed. */
  expected: JobState | null;
  /** The order had been confirmed (order.cancelled's confirmedAt): an order.confirmed exists somewhere. */
  wasConfirmed: boolean;
  /** A fencing token taken under the courier's lock; needed to free an ASSIGNED job's courier. */
  fence?: string;
  requestId?: string;
}

/**
 * What a cancellation did: `never_confirmed` nothing (cancelled before confirmation: no order.confirmed
 * will ever come), `before_confirm` left a tombstone (the order was confirmed, but its order.confirmed
 * has not reached us yet: when it does it creates no job), `waiting` cancelled a job no courier had, `assigned` also freed its courier,
 * `delivered` / `already` changed nothing (goods delivered: nothing to take back here; cancelled before).
 */
export type CancelOutcome =
  'never_confirmed' | 'before_confirm' | 'waiting' | 'assigned' | 'delivered' | 'already';

/** The job or the courier changed since the caller read them (and took its locks): read again and retry. */
export class JobChangedError extends Error {
  constructor(orderId: string, what: string) {
    super(`order ${orderId}: ${what} changed under the cancellation; retried`);
    this.name = 'JobChangedError';
  }
}

@Injectable()
export class CancellationsRepository {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(DELIVERY_CONFIG) config: DeliveryConfig,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  async jobOf(orderId: string): Promise<JobState | null> {
    const rows: { id: string; status: JobState['status']; courier_id: string | null }[] =
      await this.dataSource.query(
        `SELECT id, status, courier_id FROM "${this.schema}".delivery_jobs WHERE order_id = $1`,
        [orderId],
      );
    return rows[0] ? { id: rows[0].id, status: rows[0].status, courierId: rows[0].courier_id } : null;
  }

  /**
   * Cancels the order's delivery inside the caller's (inbox) transaction. The job row is locked
   * (FOR UPDATE) and must still be what the caller locked; the courier is freed only if it still
   * carries this order and the fence is newer than its last writer's. Anything else throws, and the
   * transaction (inbox claim included) rolls back.
   */
  async cancelIn(manager: EntityManager, request: CancelRequest): Promise<CancelOutcome> {
    const s = this.schema;
    const { orderId, userId, reason, expected } = request;
    if (!expected) {
      if (!request.wasConfirmed) return 'never_confirmed';
      const tomb: unknown[] = await manager.query(
        `INSERT INTO "${s}".delivery_jobs (order_id, user_id, status, cancelled_at, cancel_reason)
         VALUES ($1, $2, 'CANCELLED', clock_timestamp(), $3) ON CONFLICT (order_id) DO NOTHING RETURNING id`,
        [orderId, userId, reason],
      );
      if (tomb.length === 0) throw new JobChangedError(orderId, 'the job (created meanwhile)');
      return 'before_confirm';
    }
    const [job]: { status: JobState['status']; courier_id: string | null }[] = await manager.query(
      `SELECT status, courier_id FROM "${s}".delivery_jobs WHERE id = $1 FOR UPDATE`,
      [expected.id],
    );
    if (job.status !== expected.status || job.courier_id !== expected.courierId) {
      throw new JobChangedError(orderId, 'the job');
    }
    if (job.status === 'DELIVERED') return 'delivered';
    if (job.status === 'CANCELLED') return 'already';
    const [[cancelled]]: [{ cancelled_at: Date }[], number] = await manager.query(
      `UPDATE "${s}".delivery_jobs
       SET status = 'CANCELLED', cancelled_at = clock_timestamp(), cancel_reason = $2, deliver_due_at = NULL
       WHERE id = $1 RETURNING cancelled_at`,
      [expected.id, reason],
    );
    let courierName: string | null = null;
    if (job.status === 'ASSIGNED') {
      courierName = await this.freeCourier(
        manager,
        orderId,
        job.courier_id!,
        request.fence,
        cancelled.cancelled_at,
      );
    }
    await appendToOutbox(
      manager,
      s,
      DeliveryCancelled.type,
      DeliveryCancelled.create(
        orderId,
        {
          orderId,
          userId,
          courierId: job.courier_id,
          courierName,
          reason,
          cancelledAt: new Date(cancelled.cancelled_at).toISOString(),
        },
        request.requestId,
      ),
    );
    return job.status === 'ASSIGNED' ? 'assigned' : 'waiting';
  }

  /** Closes the open assignment and frees the courier, fenced like an assignment; returns its name. */
  private async freeCourier(
    manager: EntityManager,
    orderId: string,
    courierId: string,
    fence: string | undefined,
    at: Date,
  ): Promise<string> {
    const s = this.schema;
    if (fence === undefined) throw new Error(`order ${orderId}: freeing ${courierId} needs a fencing token`);
    await manager.query(
      `UPDATE "${s}".assignments SET released_at = $2 WHERE order_id = $1 AND released_at IS NULL`,
      [orderId, at],
    );
    const [couriers]: [{ name: string }[], number] = await manager.query(
      `UPDATE "${s}".couriers SET status = 'FREE', current_order_id = NULL, fence = $3, updated_at = now()
       WHERE id = $1 AND current_order_id = $2 AND fence < $3 RETURNING name`,
      [courierId, orderId, fence],
    );
    if (couriers.length === 0) throw new JobChangedError(orderId, `courier ${courierId} (or its fence)`);
    return couriers[0].name;
  }
}
