import { Inject, Injectable } from '@nestjs/common';
import { DeliveryAssigned, DeliveryDelivered } from '@sdp/contracts';
import { appendToOutbox } from '@sdp/outbox';
import { DataSource, type EntityManager } from 'typeorm';
import { DELIVERY_CONFIG, type DeliveryConfig } from '../config';

// The assignment write, which must hold even when the lock does not (docs/courier-dispatch.md).
//
// The dispatcher holds the courier's lock and the job's lock while it assigns, so two dispatchers
// rarely try the same courier or job at once. But a lock has a TTL: a dispatcher paused past it
// (GC, a slow network, a swapped-out VM) still believes it holds the lock while another dispatcher
// has taken it. So the write does not trust the lock:
//
//   1. a fencing token from a Postgres sequence, taken after the locks; the courier row keeps the
//      token of its last writer and refuses an older one (`fence < $token`);
//   2. conditional UPDATEs: the courier must still be FREE and the job still WAITING;
//   3. unique indexes on the assignment history: one assignment per order, one open per courier.
//
// Any of them refusing rolls the whole transaction back: nothing half-written, and the refusal is
// counted (delivery_double_assignments_rejected_total) and logged.

export type RejectGuard = 'fence' | 'courier_not_free' | 'job_not_waiting' | 'unique';

export type AssignResult =
  | { assigned: true; courierName: string; assignedAt: Date; waitedMs: number }
  | { assigned: false; guard: RejectGuard };

export interface AssignRequest {
  jobId: string;
  orderId: string;
  userId: string;
  courierId: string;
  /** From nextFence(), taken after the locks were acquired. */
  fence: string;
  assignedBy: string;
  requestId?: string;
}

class Rejected extends Error {
  constructor(readonly guard: RejectGuard) {
    super(`assignment refused: ${guard}`);
  }
}

const UNIQUE_VIOLATION = '23505';

export interface WaitingJob {
  id: string;
  orderId: string;
  userId: string;
}

export interface DueDelivery {
  orderId: string;
  userId: string;
  courierId: string;
  courierName: string;
  deliveredAt: Date;
}

@Injectable()
export class AssignmentsRepository {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(DELIVERY_CONFIG) private readonly config: DeliveryConfig,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  /** The oldest waiting jobs. */
  async waitingJobs(limit: number): Promise<WaitingJob[]> {
    const rows: { id: string; order_id: string; user_id: string }[] = await this.dataSource.query(
      `SELECT id, order_id, user_id FROM "${this.schema}".delivery_jobs
       WHERE status = 'WAITING' ORDER BY created_at, id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, orderId: r.order_id, userId: r.user_id }));
  }

  async freeCouriers(): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM "${this.schema}".couriers WHERE status = 'FREE' ORDER BY id`,
    );
    return rows.map((r) => r.id);
  }

  /** Re-read under the locks: the list the round started from may be stale by now. */
  async stillMatchable(jobId: string, courierId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM "${this.schema}".delivery_jobs j, "${this.schema}".couriers c
       WHERE j.id = $1 AND j.status = 'WAITING' AND c.id = $2 AND c.status = 'FREE'`,
      [jobId, courierId],
    );
    return rows.length === 1;
  }

  async jobWaiting(jobId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM "${this.schema}".delivery_jobs WHERE id = $1 AND status = 'WAITING'`,
      [jobId],
    );
    return rows.length === 1;
  }

  /** A fencing token: larger than every token taken before it, by any replica. */
  async nextFence(): Promise<string> {
    const rows: { token: string }[] = await this.dataSource.query(
      `SELECT nextval('"${this.schema}".fence_seq')::text AS token`,
    );
    return rows[0].token;
  }

  /**
   * Records the assignment and outboxes delivery.assigned in one transaction, or refuses (and writes
   * nothing) when the fence, the courier's state, the job's state or a unique index says no.
   */
  async assign(request: AssignRequest): Promise<AssignResult> {
    try {
      return await this.dataSource.transaction((manager) => this.assignIn(manager, request));
    } catch (error) {
      if (error instanceof Rejected) return { assigned: false, guard: error.guard };
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return { assigned: false, guard: 'unique' };
      throw error;
    }
  }

  private async assignIn(manager: EntityManager, request: AssignRequest): Promise<AssignResult> {
    const s = this.schema;
    const { jobId, orderId, userId, courierId, fence, assignedBy } = request;
    const [couriers]: [{ name: string }[], number] = await manager.query(
      `UPDATE "${s}".couriers
       SET status = 'BUSY', current_order_id = $2, fence = $3, updated_at = now()
       WHERE id = $1 AND status = 'FREE' AND fence < $3
       RETURNING name`,
      [courierId, orderId, fence],
    );
    if (couriers.length === 0) {
      const current: { fence: string }[] = await manager.query(
        `SELECT fence::text AS fence FROM "${s}".couriers WHERE id = $1`,
        [courierId],
      );
      const fenced = current.length === 1 && BigInt(current[0].fence) >= BigInt(fence);
      throw new Rejected(fenced ? 'fence' : 'courier_not_free');
    }
    const [jobs]: [{ assigned_at: Date; created_at: Date }[], number] = await manager.query(
      `UPDATE "${s}".delivery_jobs
       SET status = 'ASSIGNED', courier_id = $2, assigned_by = $3, assigned_at = clock_timestamp(),
           deliver_due_at = clock_timestamp() + make_interval(secs => $4::double precision / 1000)
       WHERE id = $1 AND status = 'WAITING'
       RETURNING assigned_at, created_at`,
      [jobId, courierId, assignedBy, this.config.DELIVERY_TIME_MS],
    );
    if (jobs.length === 0) throw new Rejected('job_not_waiting');
    await manager.query(
      `INSERT INTO "${s}".assignments (order_id, courier_id, fence, assigned_by, assigned_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [orderId, courierId, fence, assignedBy, jobs[0].assigned_at],
    );
    const assignedAt = new Date(jobs[0].assigned_at);
    const courierName = couriers[0].name;
    await appendToOutbox(
      manager,
      s,
      DeliveryAssigned.type,
      DeliveryAssigned.create(
        orderId,
        { orderId, userId, courierId, courierName, assignedAt: assignedAt.toISOString() },
        request.requestId,
      ),
    );
    return {
      assigned: true,
      courierName,
      assignedAt,
      waitedMs: assignedAt.getTime() - new Date(jobs[0].created_at).getTime(),
    };
  }

  /**
   * Completes up to `limit` deliveries whose time has come: job DELIVERED, courier FREE, the
   * assignment closed and delivery.delivered outboxed, per job in one transaction. SKIP LOCKED lets
   * every replica run this at once without two completing the same delivery.
   */
  async completeDue(limit: number): Promise<DueDelivery[]> {
    const s = this.schema;
    return this.dataSource.transaction(async (manager) => {
      const due: { id: string; order_id: string; user_id: string; courier_id: string }[] =
        await manager.query(
          `SELECT id, order_id, user_id, courier_id FROM "${s}".delivery_jobs
         WHERE status = 'ASSIGNED' AND deliver_due_at <= clock_timestamp()
         ORDER BY deliver_due_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit],
        );
      const done: DueDelivery[] = [];
      for (const job of due) {
        const [jobs]: [{ delivered_at: Date }[], number] = await manager.query(
          `UPDATE "${s}".delivery_jobs SET status = 'DELIVERED', delivered_at = clock_timestamp()
           WHERE id = $1 AND status = 'ASSIGNED' RETURNING delivered_at`,
          [job.id],
        );
        if (jobs.length === 0) continue;
        const deliveredAt = new Date(jobs[0].delivered_at);
        await manager.query(
          `UPDATE "${s}".assignments SET released_at = $2 WHERE order_id = $1 AND released_at IS NULL`,
          [job.order_id, deliveredAt],
        );
        const [couriers]: [{ name: string }[], number] = await manager.query(
          `UPDATE "${s}".couriers
           SET status = 'FREE', current_order_id = NULL, deliveries = deliveries + 1, updated_at = now()
           WHERE id = $1 AND current_order_id = $2 RETURNING name`,
          [job.courier_id, job.order_id],
        );
        if (couriers.length === 0) {
          throw new Error(`INVARIANT: courier ${job.courier_id} is not carrying order ${job.order_id}`);
        }
        const delivery: DueDelivery = {
          orderId: job.order_id,
          userId: job.user_id,
          courierId: job.courier_id,
          courierName: couriers[0].name,
          deliveredAt,
        };
        await appendToOutbox(
          manager,
          s,
          DeliveryDelivered.type,
          DeliveryDelivered.create(job.order_id, {
            orderId: delivery.orderId,
            userId: delivery.userId,
            courierId: delivery.courierId,
            courierName: delivery.courierName,
            deliveredAt: deliveredAt.toISOString(),
          }),
        );
        done.push(delivery);
      }
      return done;
    });
  }
}
