import { randomUUID } from 'node:crypto';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { ClaimedBatch } from '@sdp/cache';
import { MetricsService } from '@sdp/observability';
import { PeriodicTask } from '@sdp/scheduling';
import { DataSource } from 'typeorm';
import { CATALOG_CONFIG, type CatalogConfig } from '../config';
import { addProductSold, addProductViews, applyProductChanges } from './products.repository';
import { decodeChanges, ProductsService } from './products.service';

/**
 * The write-back flusher. Runs in every replica on an interval and once more on graceful shutdown.
 * Product changes are claimed atomically in Redis into a leased in-flight batch (WriteBackQueue), so
 * two live replicas never apply the same write, and a batch whose flusher died before acking it is
 * re-queued by the next claim of any replica. Counters are taken at once (CounterBuffer).
 */
@Injectable()
export class WriteBackFlusher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WriteBackFlusher.name);
  private readonly task: PeriodicTask;
  private readonly flushed;
  private readonly requeued;

  constructor(
    private readonly products: ProductsService,
    private readonly dataSource: DataSource,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
    metrics: MetricsService,
  ) {
    this.flushed = metrics.counter(
      'catalog_write_back_flushed_total',
      'Write-back items applied to Postgres, by kind (product change, views, sold).',
      ['kind'],
    );
    this.requeued = metrics.counter(
      'catalog_write_back_requeued_total',
      'Write-back product changes put back from an expired lease (their flusher died or stalled mid-flush).',
    );
    this.task = new PeriodicTask({
      run: () => this.flushOnce(),
      intervalMs: config.WRITE_BACK_FLUSH_MS,
      onError: (error) => this.logger.warn(`write-back flush failed: ${String(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
    // Drain what is pending so a graceful stop loses nothing.
    await this.flushAll().catch((error: unknown) =>
      this.logger.error(`write-back flush on shutdown failed: ${String(error)}`),
    );
  }

  /** Flushes until the queue is empty; returns how many product changes were applied. */
  async flushAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const applied = await this.flushOnce();
      total += applied;
      if (applied < this.config.WRITE_BACK_BATCH_SIZE) return total;
    }
  }

  /** One batch of product changes plus the accumulated view counters; returns the changes applied. */
  async flushOnce(): Promise<number> {
    const queue = this.products.writeBack;
    const claim = await queue.claim(this.config.WRITE_BACK_BATCH_SIZE, this.config.WRITE_BACK_LEASE_MS);
    if (claim.requeued) {
      this.requeued.inc(claim.requeued);
      this.logger.warn(`re-queued ${claim.requeued} write-back changes whose flusher's lease expired`);
    }
    if (claim.writes.length) {
      const batch = claim.writes.map(({ id, fields }) => ({
        id: Number(id),
        changes: decodeChanges(fields),
      }));
      // A flush applies writes coalesced from many requests and runs outside all of them, so there is
      // no one request id to carry: each flush gets a fresh one, shared by the events it records.
      const requestId = `write-back-flush-${randomUUID()}`;
      try {
        await applyProductChanges(this.dataSource, this.config.DB_SCHEMA, batch, requestId, () =>
          this.beforeCommit(claim),
        );
      } catch (error) {
        // Postgres refused or is down: put the batch back (newer writes win) and try on the next tick.
        await queue.release(claim);
        throw error;
      }
      // Committed. Dying before this ack only means the batch is applied again after its lease.
      await queue.ack(claim);
      this.flushed.inc({ kind: 'product' }, claim.writes.length);
    }
    const views = await this.products.views.take();
    if (views.size) {
      const byId = new Map([...views].map(([id, n]) => [Number(id), n]));
      await addProductViews(this.dataSource, this.config.DB_SCHEMA, byId);
      this.flushed.inc({ kind: 'views' }, views.size);
    }
    const sold = await this.products.sold.take();
    if (sold.size) {
      await addProductSold(this.dataSource, this.config.DB_SCHEMA, sold);
      this.flushed.inc({ kind: 'sold' }, sold.size);
    }
    return claim.writes.length;
  }

  private async beforeCommit(claim: ClaimedBatch): Promise<void> {
    const pause = this.config.WRITE_BACK_TEST_PAUSE_BEFORE_COMMIT_MS;
    if (pause) await new Promise((resolve) => setTimeout(resolve, pause)); // lets a test kill us here
    // A flusher that stalled past its lease (GC pause, SIGSTOP) may have had its batch re-queued and
    // taken by another replica, maybe with newer values: roll back rather than commit older ones last.
    if (!(await this.products.writeBack.holds(claim))) {
      throw new Error('write-back lease expired before commit; the batch was left to another flusher');
    }
  }
}
