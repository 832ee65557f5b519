import { BadRequestException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { CacheAside, type CacheEvent, type CacheStatus } from '@sdp/cache';
import { ProductUpdated } from '@sdp/contracts';
import { EventPublisher, Topics } from '@sdp/messaging';
import { MetricsService } from '@sdp/observability';
import { CACHE_REDIS } from '@sdp/redis';
import type { Redis } from 'ioredis';
import { CATALOG_CONFIG, type CatalogConfig } from '../config';
import type { ListProductsQuery } from './dto/list-products.query';
import type { ProductPage, ProductView } from './dto/product.view';
import { productChangeFields, type ProductChange, type UpdateProductDto } from './dto/update-product.dto';
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
  private readonly publishFailures;

  constructor(
    private readonly repository: ProductsRepository,
    private readonly publisher: EventPublisher,
    private readonly topics: Topics,
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
    const cacheFor = (name: string, ttlSeconds: number) =>
      new CacheAside(redis, {
        keyPrefix: `${config.CACHE_KEY_PREFIX}:${name}`,
        ttlSeconds,
        onEvent: (event: CacheEvent) => cacheEvents.inc({ cache: name, event }),
        onDegraded,
      });
    this.products = cacheFor('product', config.PRODUCT_CACHE_TTL_SECONDS);
    this.pages = cacheFor('product-page', config.LIST_CACHE_TTL_SECONDS);
    this.listVersionKey = `${config.CACHE_KEY_PREFIX}:product-page:version`;
    this.publishFailures = metrics.counter(
      'catalog_event_publish_failures_total',
      'product.updated events that could not be published.',
    );
  }

  async get(id: number): Promise<Cached<ProductView>> {
    const load = () => this.repository.findById(id);
    const { value, status } = this.config.PRODUCT_CACHE_ENABLED
      ? await this.products.get(String(id), load)
      : { value: await load(), status: 'BYPASS' as const };
    if (!value) throw new NotFoundException(`product ${id} not found`);
    return { value, cache: status };
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
   * Writes go to Postgres first. Once committed, the cached entry is dropped (the next read loads
   * the new row: no window where the cache holds a value the database never had) and
   * product.updated is published for everyone else who keeps a copy.
   */
  async update(id: number, changes: UpdateProductDto, requestId: string): Promise<ProductView> {
    const changed = productChangeFields.filter((field) => changes[field] !== undefined);
    if (changed.length === 0) {
      throw new BadRequestException(`body must change at least one of ${productChangeFields.join(', ')}`);
    }
    const product = await this.repository.update(id, changes);
    if (!product) throw new NotFoundException(`product ${id} not found`);
    await this.invalidate(id);
    await this.publishUpdated(product, changed, requestId);
    return product;
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

  private async publishUpdated(
    product: ProductView,
    changed: ProductChange[],
    requestId: string,
  ): Promise<void> {
    const event = ProductUpdated.create(
      String(product.id),
      {
        id: product.id,
        sku: product.sku,
        name: product.name,
        description: product.description,
        priceCents: product.priceCents,
        changed,
        updatedAt: product.updatedAt,
      },
      requestId,
    );
    try {
      await this.publisher.publish(this.topics.name(ProductUpdated.type), event);
    } catch (error) {
      this.publishFailures.inc();
      this.logger.error(
        `product ${product.id} updated but product.updated was not published: ${String(error)}`,
      );
    }
  }
}
