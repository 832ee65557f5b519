import { Inject, Injectable, Logger } from '@nestjs/common';
import { CounterBuffer, Leaderboard } from '@sdp/cache';
import { OrderCancelled, OrderConfirmed, type OrderLine } from '@sdp/contracts';
import { ConsumeEvents, type ConsumedEvent } from '@sdp/messaging';
import { MetricsService } from '@sdp/observability';
import { CACHE_REDIS } from '@sdp/redis';
import { consumerGroups } from '@sdp/topology';
import type { Redis } from 'ioredis';
import { CATALOG_CONFIG, type CatalogConfig } from '../config';
import { ProductsRepository } from '../products/products.repository';
import { statsKey } from '../products/products.service';
import type { TopWindow } from './dto/top-products.query';
import type { TopProductsView } from './dto/top-products.view';

/**
 * Best-sellers: a Redis sorted set per ranking (all-time, and per-minute buckets for the last hour),
 * fed by order.confirmed, and taken back by the order.cancelled of a confirmed order (the late-payment
 * compensation), in the bucket of the original confirmation. The ranking is derived data: it can be
 * rebuilt from the order history, so it may live in Redis alone.
 */
@Injectable()
export class BestSellersService {
  private readonly logger = new Logger(BestSellersService.name);
  readonly board: Leaderboard;
  private readonly counted;
  private readonly sold: CounterBuffer;

  constructor(
    private readonly repository: ProductsRepository,
    @Inject(CACHE_REDIS) redis: Redis,
    @Inject(CATALOG_CONFIG) config: CatalogConfig,
    metrics: MetricsService,
  ) {
    this.board = new Leaderboard(redis, `${config.CACHE_KEY_PREFIX}:best-sellers`);
    this.sold = new CounterBuffer(redis, statsKey(config.CACHE_KEY_PREFIX, 'sold'));
    this.counted = metrics.counter(
      'catalog_best_seller_events_total',
      'Order events seen by the best-seller ranking, by outcome (counted, taken_back, duplicate, ignored).',
      ['outcome'],
    );
  }

  /** One group for all replicas: each event is counted by one of them (and deduplicated by its id). */
  @ConsumeEvents({ group: consumerGroups.catalog.bestSellers, events: [OrderConfirmed] })
  async countConfirmed({ id, occurredAt, data }: ConsumedEvent<typeof OrderConfirmed>): Promise<void> {
    await this.count(id, data.items, 1, Date.parse(occurredAt), 'counted');
  }

  /** A cancellation only matters if the order had been confirmed (and so counted) first. */
  @ConsumeEvents({ group: consumerGroups.catalog.bestSellers, events: [OrderCancelled] })
  async takeBack({ id, data }: ConsumedEvent<typeof OrderCancelled>): Promise<void> {
    if (!data.confirmedAt) return void this.counted.inc({ outcome: 'ignored' });
    await this.count(id, data.items, -1, Date.parse(data.confirmedAt), 'taken_back');
  }

  private async count(
    eventId: string,
    items: OrderLine[],
    sign: 1 | -1,
    atMs: number,
    outcome: 'counted' | 'taken_back',
  ): Promise<void> {
    const recorded = await this.board.record(
      eventId,
      items.map((line) => ({ member: line.sku, score: sign * line.quantity })),
      atMs,
    );
    this.counted.inc({ outcome: recorded ? outcome : 'duplicate' });
    if (!recorded) {
      this.logger.debug(`event ${eventId} already counted`);
      return;
    }
    // Popularity for Postgres (product_stats.sold), write-back: the flusher sums it in batches. Not in
    // the dedup script, so a crash right here can drop these few units: acceptable for a statistic.
    await Promise.all(items.map((line) => this.sold.incr(line.sku, sign * line.quantity)));
  }

  async top(n: number, window: TopWindow): Promise<TopProductsView> {
    const ranked = window === 'hour' ? await this.board.topInWindow(n) : await this.board.top(n);
    const products = await this.repository.findBySkus(ranked.map((r) => r.member));
    const bySku = new Map(products.map((p) => [p.sku, p]));
    return {
      window,
      items: ranked.map((r, i) => ({
        rank: i + 1,
        sku: r.member,
        sold: r.score,
        product: bySku.get(r.member) ?? null,
      })),
    };
  }
}
