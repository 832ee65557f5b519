import { randomUUID } from 'node:crypto';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { MetricsService } from '@sdp/observability';
import { DataSource } from 'typeorm';
import { CATALOG_CONFIG, type CatalogConfig } from '../config';
import { addProductSold, addProductViews, applyProductChanges } from './products.repository';
import { decodeChanges, ProductsService } from './products.service';

/**
 * The write-back flusher. Runs in every replica on an interval and once more on graceful shutdown;
 * batches are claimed atomically in Redis (see WriteBackQueue / CounterBuffer), so two replicas never
 * apply the same write. Product changes and view counters are flushed the same way.
 */
@Injectable()
export class WriteBackFlusher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WriteBackFlusher.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly flushed;

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
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.WRITE_BACK_FLUSH_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    // Drain what is pending so a graceful stop loses nothing.
    await this.flushAll().catch((error: unknown) =>
      this.logger.error(`write-back flush on shutdown failed: ${String(error)}`),
    );
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.flushOnce()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn(`write-back flush failed: ${String(error)}`))
      .finally(() => (this.running = undefined));
    await this.running;
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
    const claimed = await queue.claim(this.config.WRITE_BACK_BATCH_SIZE);
    if (claimed.length) {
      const batch = claimed.map(({ id, fields }) => ({ id: Number(id), changes: decodeChanges(fields) }));
      // A flush applies writes coalesced from many requests and runs outside all of them, so there is
      // no one request id to carry: each flush gets a fresh one, shared by the events it records.
      const requestId = `write-back-flush-${randomUUID()}`;
      try {
        await applyProductChanges(this.dataSource, this.config.DB_SCHEMA, batch, requestId);
      } catch (error) {
        // Postgres refused or is down: put the batch back (newer writes win) and try on the next tick.
        // Only a process that dies right here, between claim and commit, loses the batch.
        await queue.requeue(claimed);
        throw error;
      }
      await queue.flushed(claimed.map((c) => c.id));
      this.flushed.inc({ kind: 'product' }, claimed.length);
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
    return claimed.length;
  }
}
