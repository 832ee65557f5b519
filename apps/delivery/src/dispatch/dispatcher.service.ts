import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LockLostError, LockService, LockUnavailableError } from '@sdp/locks';
import { PeriodicTask, sleep } from '@sdp/scheduling';
import { DELIVERY_CONFIG, type DeliveryConfig } from '../config';
import { type AssignOutcome, DeliveryMetrics } from '../delivery.metrics';
import { AssignmentsRepository, type WaitingJob } from './assignments.repository';
import { candidateCouriers } from './candidates';
import { courierLock, jobLock, lockHolder, type LockHolder } from './lock-holder';

export { courierLock, jobLock };

export interface DispatchRound {
  assigned: number;
  attempts: Partial<Record<AssignOutcome, number>>;
}

/**
 * The matchmaker (the ride-sharing pattern): every replica runs one, so several dispatchers match
 * waiting jobs to free couriers at the same time. For each job it takes the job's lock, then tries
 * couriers one by one, taking each courier's lock without waiting (another dispatcher holding it
 * means "pick someone else", not "queue up"). Under both locks it re-reads both rows, offers the job
 * to the courier (ASSIGN_OFFER_MS), and records the assignment through AssignmentsRepository, whose
 * fenced, conditional write is correct even if a lock expired meanwhile.
 *
 * A dispatcher killed mid-assignment never committed its write, so the courier is still FREE in
 * Postgres; its locks were no longer extended and expire after LOCK_TTL_MS; the next round of any
 * surviving dispatcher takes the courier and the job.
 */
@Injectable()
export class DispatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DispatcherService.name);
  private readonly task: PeriodicTask;
  private readonly hold: LockHolder;

  constructor(
    locks: LockService,
    private readonly repository: AssignmentsRepository,
    private readonly metrics: DeliveryMetrics,
    @Inject(DELIVERY_CONFIG) private readonly config: DeliveryConfig,
  ) {
    this.hold = lockHolder(locks, config);
    this.task = new PeriodicTask({
      run: () => this.runOnce(),
      intervalMs: config.DISPATCH_INTERVAL_MS,
      onError: (error) => this.logger.warn(`dispatch round failed, next round retries: ${String(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.DISPATCH_ENABLED) this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** One round: match as many waiting jobs as there are free couriers. */
  async runOnce(): Promise<DispatchRound> {
    const round: DispatchRound = { assigned: 0, attempts: {} };
    const jobs = await this.repository.waitingJobs(this.config.DISPATCH_BATCH);
    if (jobs.length === 0) return round;
    let free = candidateCouriers(await this.repository.freeCouriers());
    for (const job of jobs) {
      if (free.length === 0) break;
      const taken = await this.matchJob(job, free, round);
      if (taken) {
        round.assigned++;
        free = free.filter((c) => c !== taken);
      }
    }
    return round;
  }

  /** Tries the job with each free courier in turn; returns the courier that took it. */
  private async matchJob(job: WaitingJob, free: string[], round: DispatchRound): Promise<string | null> {
    const count = (outcome: AssignOutcome) => {
      round.attempts[outcome] = (round.attempts[outcome] ?? 0) + 1;
      this.metrics.attempts.inc({ outcome });
    };
    const hold = this.hold;
    try {
      const outcome = await hold(jobLock(job.id), async (jobSignal) => {
        for (const courierId of free) {
          const attempt = await hold(courierLock(courierId), (courierSignal) =>
            this.assignUnderLocks(job, courierId, AbortSignal.any([jobSignal, courierSignal])),
          );
          if (!attempt.ran) {
            if (attempt.reason === 'unavailable') {
              count('lock_unavailable');
              return null;
            }
            // Another dispatcher is offering this courier a job: pick someone else, do not queue.
            this.metrics.lockContention.inc({ resource: 'courier' });
            count('courier_busy');
            continue;
          }
          count(attempt.value);
          if (attempt.value === 'assigned') return courierId;
          // stale or rejected: this courier is taken, or the job is; go on only if the job still waits
          if (!(await this.repository.jobWaiting(job.id))) return null;
        }
        return null;
      });
      if (!outcome.ran) {
        if (outcome.reason === 'unavailable') {
          count('lock_unavailable');
        } else {
          // Another dispatcher is matching this job right now.
          this.metrics.lockContention.inc({ resource: 'job' });
          count('job_busy');
        }
        return null;
      }
      return outcome.value;
    } catch (error) {
      if (error instanceof LockLostError || (error as Error).name === 'AbortError') {
        count('lock_lost');
        this.logger.warn(`job ${job.id}: lock lost mid-assignment; nothing was written, next round retries`);
        return null;
      }
      if (error instanceof LockUnavailableError) {
        count('lock_unavailable');
        return null;
      }
      throw error;
    }
  }

  /** Holding the job's and the courier's locks: re-check, offer, record (fenced). */
  private async assignUnderLocks(
    job: WaitingJob,
    courierId: string,
    signal: AbortSignal,
  ): Promise<'assigned' | 'stale' | 'rejected'> {
    if (!(await this.repository.stillMatchable(job.id, courierId))) return 'stale';
    this.metrics.offersInFlight.inc();
    try {
      // The courier's app shows the offer and the courier accepts: the window a crash can land in.
      if (this.config.ASSIGN_OFFER_MS > 0) await sleep(this.config.ASSIGN_OFFER_MS, { signal });
      signal.throwIfAborted();
      const fence = await this.repository.nextFence();
      const result = await this.repository.assign({
        jobId: job.id,
        orderId: job.orderId,
        userId: job.userId,
        courierId,
        fence,
        assignedBy: this.config.INSTANCE_ID,
      });
      if (!result.assigned) {
        this.metrics.doubleAssignmentsRejected.inc({ guard: result.guard });
        this.logger.warn(`order ${job.orderId} → ${courierId} refused by Postgres (${result.guard})`);
        return 'rejected';
      }
      this.metrics.assignments.inc();
      this.metrics.waitForCourier.observe(result.waitedMs / 1_000);
      this.logger.log(
        `order ${job.orderId} → ${courierId} (${result.courierName}) after ${result.waitedMs} ms`,
      );
      return 'assigned';
    } finally {
      this.metrics.offersInFlight.dec();
    }
  }
}
