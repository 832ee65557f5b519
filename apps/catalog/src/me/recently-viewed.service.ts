import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CACHE_REDIS } from '@sdp/redis';
import type { Redis } from 'ioredis';
import { CATALOG_CONFIG, type CatalogConfig } from '../config';
import { ProductsService } from '../products/products.service';
import type { RecentlyViewedView } from './dto/recently-viewed.dto';

export const RECENTLY_VIEWED_MAX = 20;
const KEEP_SECONDS = 30 * 24 * 3600;

/**
 * Recently viewed products per user: a Redis list, newest first, capped. A list fits because the
 * order is insertion order and we only ever read the head; LREM first keeps each product once
 * (O(n) on a 20-item list), LPUSH + LTRIM keep it bounded, EXPIRE forgets idle users.
 */
@Injectable()
export class RecentlyViewedService {
  constructor(
    private readonly products: ProductsService,
    @Inject(CACHE_REDIS) private readonly redis: Redis,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
  ) {}

  key(userId: string): string {
    return `${this.config.CACHE_KEY_PREFIX}:recently-viewed:${userId}`;
  }

  async record(userId: string, productId: number): Promise<void> {
    await this.products.get(productId, { countView: false }); // 404 for an unknown product, nothing stored
    const key = this.key(userId);
    await this.redis
      .multi()
      .lrem(key, 0, String(productId))
      .lpush(key, String(productId))
      .ltrim(key, 0, RECENTLY_VIEWED_MAX - 1)
      .expire(key, KEEP_SECONDS)
      .exec();
  }

  async list(userId: string): Promise<RecentlyViewedView> {
    const ids = await this.redis.lrange(this.key(userId), 0, RECENTLY_VIEWED_MAX - 1);
    const found = await Promise.all(
      ids.map((id) =>
        this.products.get(Number(id), { countView: false }).then(
          ({ value }) => value,
          (error: unknown) => {
            if (error instanceof NotFoundException) return null; // product gone since it was viewed
            throw error;
          },
        ),
      ),
    );
    return { items: found.filter((p) => p !== null) };
  }
}
