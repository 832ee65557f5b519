import { BadRequestException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import {
  CacheAside,
  CounterBuffer,
  WriteBackQueue,
  WriteStrategySetting,
  type CacheEvent,
  type CacheStatus,
  type WriteStrategy,
} from '@sdp/cache';
import { MetricsService } from '@sdp/observability';
import { CACHE_REDIS } from '@sdp/redis';
import type { Redis } from 'ioredis';
import { CATALOG_CONFIG, type CatalogConfig } from '../config';
import type { ListProductsQuery } from './dto/list-products.query';
import type { ProductPage, ProductView } from './dto/product.view';
import { productChangeFields, type UpdateProductDto } from './dto/update-product.dto';
import { ProductsRepository } from './products.repository';

export interface Cached<T> {
  value: T;
  cache: CacheStatus;
}

@Injectable()
export class ProductsService {
  private readonly logger = new Logger(ProductsService.name);
  private readonly products: CacheAside;
  private readonly pages: CacheAside;
  private readonly listVersionKey: string;
  private readonly writes;
  readonly writeStrategy: WriteStrategySetting;
  readonly writeBack: WriteBackQueue;
  readonly views: CounterBuffer;
  readonly sold: CounterBuffer;

  constructor(
    private readonly repository: ProductsRepository,
    @Inject(CACHE_REDIS) private readonly redis: Redis,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
    metrics: MetricsService,
  ) {
    const cacheEvents = metrics.counter('cache_events_total', 'Cache-aside outcomes by cache and event.', [
      'cache',
      'event',
    ]);
    const onDegraded = (error: unknown, operation: string) =>
      this.logger.warn(
        `cache ${operation} failed, serving from Postgres: ${error instanceof Error ? error.message : String(error)}`,
      );
    const cacheFor = (name: string, ttlSeconds: number, earlyRefreshBeta = 0) =>
      new CacheAside(redis, {
        keyPrefix: `${config.CACHE_KEY_PREFIX}:${name}`,
        ttlSeconds,
        earlyRefreshBeta,
        onEvent: (event: CacheEvent) => cacheEvents.inc({ cache: name, event }),
        onDegraded,
      });
    this.products = cacheFor(
      'product',
      config.PRODUCT_CACHE_TTL_SECONDS,
      config.PRODUCT_CACHE_EARLY_REFRESH_BETA,
    );
    this.pages = cacheFor('product-page', config.LIST_CACHE_TTL_SECONDS);
    this.listVersionKey = `${config.CACHE_KEY_PREFIX}:product-page:version`;
    this.writeStrategy = new WriteStrategySetting(
      redis,
      `${config.CACHE_KEY_PREFIX}:config:product-write-strategy`,
      config.PRODUCT_WRITE_STRATEGY,
    );
    this.writeBack = new WriteBackQueue(redis, `${config.CACHE_KEY_PREFIX}:write-back:product`, {
      owner: config.INSTANCE_ID,
    });
    this.views = new CounterBuffer(redis, statsKey(config.CACHE_KEY_PREFIX, 'views'));
    this.sold = new CounterBuffer(redis, statsKey(config.CACHE_KEY_PREFIX, 'sold'));
    this.writes = metrics.counter('catalog_product_writes_total', 'Product writes by write strategy.', [
      'strategy',
    ]);
  }

  async get(id: number, { countView = true } = {}): Promise<Cached<ProductView>> {
    const load = () => this.loadWithPending(id);
    const { value, status } = this.config.PRODUCT_CACHE_ENABLED
      ? await this.products.get(String(id), load)
      : { value: await load(), status: 'BYPASS' as const };
    if (!value) throw new NotFoundException(`product ${id} not found`);
    // Views accumulate in Redis and reach Postgres in batches (write-back): never on the read's critical path.
    if (countView) this.views.incr(String(id)).catch(() => undefined);
    return { value, cache: status };
  }

  /** The row from Postgres with any write-back changes not flushed yet laid over it. */
  private async loadWithPending(id: number): Promise<ProductView | null> {
    const row = await this.repository.findById(id);
    if (!row) return null;
    const pending = await this.writeBack.pending(String(id)).catch(() => ({}));
    return Object.keys(pending).length ? withChanges(row, decodeChanges(pending), row.updatedAt) : row;
  }

  /**
   * Listing pages are cached under a version number; a product change bumps the version, so every
   * page cached before it is ignored at once and expires on its (short) TTL.
   */
  async list(query: ListProductsQuery): Promise<Cached<ProductPage>> {
    const load = async (): Promise<ProductPage> => ({
      ...(await this.repository.list(query)),
      page: query.page,
      limit: query.limit,
    });
    if (!this.config.PRODUCT_CACHE_ENABLED) return { value: await load(), cache: 'BYPASS' };
    const version = (await this.redis.get(this.listVersionKey).catch(() => null)) ?? '0';
    const pageKey = `v${version}:${query.category ?? '*'}:${query.q ?? ''}:${query.skus?.join(',') ?? '*'}:${query.sort}:${query.page}:${query.limit}`;
    const { value, status } = await this.pages.get(pageKey, load);
    return { value: value!, cache: status };
  }

  /**
   * One product write, three strategies (chosen in Redis, so every replica agrees):
   * - write-around: Postgres first; once committed, the cached entry is dropped and the next read
   *   loads the new row (no window where the cache holds a value the database never had).
   * - write-through: Postgres first, then the new row is put in the cache: the next read is a HIT.
   * - write-back: the cache takes the change and answers; the flusher writes Postgres later.
   * Listing pages are invalidated by version either way. product.updated (for everyone else who keeps
   * a copy: the edge) goes to the outbox in the transaction that writes the row: here for
   * write-around/through, in the flusher's transaction for write-back, so the event never announces
   * a change Postgres does not have.
   */
  async update(id: number, changes: UpdateProductDto, requestId: string): Promise<ProductView> {
    const changed = productChangeFields.filter((field) => changes[field] !== undefined);
    if (changed.length === 0) {
      throw new BadRequestException(`body must change at least one of ${productChangeFields.join(', ')}`);
    }
    const strategy = await this.writeStrategy.get();
    const product =
      strategy === 'write-back'
        ? await this.writeBehind(id, changes)
        : await this.repository.update(id, changes, requestId);
    if (!product) throw new NotFoundException(`product ${id} not found`);
    this.writes.inc({ strategy });
    if (strategy === 'write-through') await this.refresh(product);
    else if (strategy === 'write-around') await this.invalidate(id);
    else await this.bumpListVersion(id);
    return product;
  }

  async setWriteStrategy(strategy: WriteStrategy): Promise<WriteStrategy> {
    await this.writeStrategy.set(strategy);
    this.logger.log(`product write strategy is now ${strategy}`);
    return strategy;
  }

  /** Write-back: the current value (cache or Postgres, with pending changes) plus this change, kept in Redis. */
  private async writeBehind(id: number, changes: UpdateProductDto): Promise<ProductView | null> {
    const { value: current } = await this.products.get(String(id), () => this.loadWithPending(id));
    if (!current) return null;
    const product = withChanges(current, changes, new Date().toISOString());
    await this.writeBack.enqueue(String(id), encodeChanges(changes));
    await this.products.set(String(id), product);
    return product;
  }

  /**
   * On product.updated, relayed after the commit: the cached entry becomes the committed row (with
   * any pending write-back changes). The writing request already dropped or replaced it, but a read
   * that loaded the old row before the commit can put it back afterwards, and an invalidate() can
   * fail; the event repairs both, and it runs before the edge refetches so the edge never copies a
   * stale entry. Throws when Redis is down, so the consumer retries.
   *
   * The reload is conditional: a write that lands while it reads (a write-back write queues its
   * change and sets the entry between our read of the pending changes and our set) is newer than
   * what we read, so our set is dropped and the write's entry stays (the entry's stamp changed).
   */
  async reloadCached(id: number): Promise<void> {
    if (!this.config.PRODUCT_CACHE_ENABLED) return;
    const stamp = await this.products.stamp(String(id));
    const row = await this.loadWithPending(id);
    if (row) await this.products.setIfUnchanged(String(id), row, stamp);
    else await this.products.invalidate(String(id));
    await this.redis.incr(this.listVersionKey); // listing pages too may have been cached from the old row
  }

  /** Write-through: the committed row replaces the cached copy. If that fails, fall back to dropping it. */
  private async refresh(product: ProductView): Promise<void> {
    try {
      await Promise.all([
        this.products.set(String(product.id), product),
        this.redis.incr(this.listVersionKey),
      ]);
    } catch {
      await this.invalidate(product.id);
    }
  }

  private async bumpListVersion(id: number): Promise<void> {
    await this.redis.incr(this.listVersionKey).catch((error: unknown) => {
      this.logger.error(`could not bump the listing version after product ${id} changed: ${String(error)}`);
    });
  }

  private async invalidate(id: number): Promise<void> {
    try {
      await Promise.all([this.products.invalidate(String(id)), this.redis.incr(this.listVersionKey)]);
    } catch (error) {
      // The row is committed; a stale entry now lives at most one TTL. Loud, but not the caller's failure.
      this.logger.error(
        `could not invalidate product ${id}; cached copy may be stale for up to its TTL: ${String(error)}`,
      );
    }
  }
}

/** Counters accumulated in Redis and flushed to product_stats: views by product id, units sold by SKU. */
export const statsKey = (prefix: string, counter: 'views' | 'sold'): string => `${prefix}:stats:${counter}`;

/** Pending write-back fields are stored JSON-encoded, one hash field per product field. */
export const encodeChanges = (changes: UpdateProductDto): Record<string, string> =>
  Object.fromEntries(
    productChangeFields.filter((f) => changes[f] !== undefined).map((f) => [f, JSON.stringify(changes[f])]),
  );

export const decodeChanges = (fields: Record<string, string>): UpdateProductDto => {
  const changes: UpdateProductDto = {};
  for (const field of productChangeFields) {
    if (fields[field] !== undefined)
      Object.assign(changes, { [field]: JSON.parse(fields[field]) as unknown });
  }
  return changes;
};

const withChanges = (product: ProductView, changes: UpdateProductDto, updatedAt: string): ProductView => ({
  ...product,
  ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
  updatedAt,
});
