import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { StockChanged } from '@sdp/contracts';
import { ConsumeEvents, type ConsumedEvent } from '@sdp/messaging';
import { MetricsService } from '@sdp/observability';
import { CACHE_REDIS } from '@sdp/redis';
import { consumerGroups } from '@sdp/topology';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { CATALOG_CONFIG, type CatalogConfig } from '../config';
import { EdgeRefresher } from '../edge/edge-refresh';
import { ProductsRepository } from '../products/products.repository';

/**
 * Availability from inventory's stock.changed, kept in Redis so product reads can show it:
 * - `<prefix>:availability`: a hash SKU -> units available (one small hash, not a key per SKU).
 * - `<prefix>:in-stock`: a set of SKUs with units available; `<prefix>:category:<slug>`: a set of
 *   the SKUs in each category. "In stock in audio" is then one SINTER, done inside Redis.
 * stock.changed carries absolute numbers and is keyed by SKU (one partition, in order), so applying
 * a redelivered event again is harmless: no dedup table needed.
 * Product entries in the cache do not hold availability (it is laid over them on read), so a stock
 * change needs no cache invalidation; the edge copy is refreshed like on product.updated, at most
 * once per product per EDGE_REFRESH_WINDOW_MS: a flash sale sends a stock.changed per hold and per
 * sale, and each refresh costs every edge two fetches through gateway, lb and catalog.
 */
const EDGE_REFRESH_WINDOW_MS = 100;

@Injectable()
export class AvailabilityService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AvailabilityService.name);
  private readonly applied;
  private readonly prefix: string;
  /** SKU -> product id, looked up once: a product's SKU and id never change. */
  private readonly productIds = new Map<string, number>();
  /** Products whose edge copy is due for a refresh, with the request id that changed them first. */
  private readonly dueRefreshes = new Map<number, string | undefined>();
  private refreshTimer?: NodeJS.Timeout;

  constructor(
    private readonly repository: ProductsRepository,
    private readonly edge: EdgeRefresher,
    private readonly dataSource: DataSource,
    @Inject(CACHE_REDIS) private readonly redis: Redis,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
    metrics: MetricsService,
  ) {
    this.prefix = config.CACHE_KEY_PREFIX;
    this.applied = metrics.counter('catalog_stock_changes_total', 'stock.changed events applied.');
  }

  /** Category sets are derived from Postgres; built once per key prefix (categories do not change via the API). */
  async onApplicationBootstrap(): Promise<void> {
    const marker = `${this.prefix}:category:built`;
    try {
      if (!(await this.redis.set(marker, '1', 'NX'))) return;
      const rows: { sku: string; slug: string }[] = await this.dataSource.query(
        `SELECT p.sku, c.slug FROM "${this.config.DB_SCHEMA}".products p
         JOIN "${this.config.DB_SCHEMA}".categories c ON c.id = p.category_id`,
      );
      const pipeline = this.redis.pipeline();
      for (const { sku, slug } of rows) pipeline.sadd(`${this.prefix}:category:${slug}`, sku);
      await pipeline.exec();
    } catch (error) {
      await this.redis.del(marker).catch(() => undefined);
      this.logger.warn(`category sets not built (in-stock filter unavailable): ${String(error)}`);
    }
  }

  /** One group for all replicas: the Redis state is shared, so one replica applying each change is enough. */
  @ConsumeEvents({ group: consumerGroups.catalog.availability, events: [StockChanged] })
  async handle(envelope: ConsumedEvent<typeof StockChanged>): Promise<void> {
    const { sku, available } = envelope.data;
    const multi = this.redis.multi().hset(`${this.prefix}:availability`, sku, available);
    if (available > 0) multi.sadd(`${this.prefix}:in-stock`, sku);
    else multi.srem(`${this.prefix}:in-stock`, sku);
    await multi.exec();
    this.applied.inc();
    const id = await this.productId(sku);
    if (id !== undefined) this.refreshEdgeSoon(id, envelope.requestId);
  }

  onModuleDestroy(): void {
    clearTimeout(this.refreshTimer);
  }

  private async productId(sku: string): Promise<number | undefined> {
    const known = this.productIds.get(sku);
    if (known !== undefined) return known;
    const [product] = await this.repository.findBySkus([sku]);
    if (product) this.productIds.set(sku, product.id);
    return product?.id;
  }

  /** Coalesces: changes arriving while a refresh is due ride on it (it fetches after they were applied). */
  private refreshEdgeSoon(id: number, requestId: string | undefined): void {
    if (this.dueRefreshes.has(id)) return;
    this.dueRefreshes.set(id, requestId);
    this.refreshTimer ??= setTimeout(() => {
      const due = [...this.dueRefreshes];
      this.dueRefreshes.clear();
      this.refreshTimer = undefined;
      // refreshProduct logs and counts its own failures; the edge TTL bounds a missed refresh.
      void Promise.all(due.map(([productId, rid]) => this.edge.refreshProduct(productId, rid)));
    }, EDGE_REFRESH_WINDOW_MS);
  }

  /** Units available for a SKU, or undefined if inventory has not reported it yet. */
  async available(sku: string): Promise<number | undefined> {
    const value = await this.redis.hget(`${this.prefix}:availability`, sku).catch(() => null);
    return value === null ? undefined : Number(value);
  }

  /** SKUs with stock, optionally only in one category (SINTER of two sets), sorted. */
  async inStock(category?: string): Promise<string[]> {
    const skus = category
      ? await this.redis.sinter(`${this.prefix}:category:${category}`, `${this.prefix}:in-stock`)
      : await this.redis.smembers(`${this.prefix}:in-stock`);
    return skus.sort();
  }
}
