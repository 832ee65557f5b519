import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '@sdp/observability';
import { CACHE_REDIS } from '@sdp/redis';
import type { Redis } from 'ioredis';
import { ProductsService } from './products.service';

const SAMPLE_TIMEOUT_MS = 300;

/**
 * Gauges computed when /metrics is scraped: this replica's hit ratio per cache (from the
 * cache_events_total counters), the cache node's evictions and memory (sampled from INFO; node-wide,
 * so every replica reports the same node figures), and the write-back queue depth and flush lag.
 * A sample that fails or is slow keeps the previous value rather than failing the scrape.
 */
@Injectable()
export class CacheMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly products: ProductsService,
    @Inject(CACHE_REDIS) private readonly redis: Redis,
  ) {}

  onModuleInit(): void {
    const events = this.metrics.counter('cache_events_total', 'Cache-aside outcomes by cache and event.', [
      'cache',
      'event',
    ]);
    this.metrics.gauge(
      'cache_hit_ratio',
      'hits / (hits + misses) in this replica since it started, per cache.',
      ['cache'],
      async (gauge) => {
        const totals = new Map<string, { hit: number; miss: number }>();
        for (const { labels, value } of (await events.get()).values) {
          const cache = String(labels.cache);
          const entry = totals.get(cache) ?? { hit: 0, miss: 0 };
          if (labels.event === 'hit') entry.hit += value;
          if (labels.event === 'miss') entry.miss += value;
          totals.set(cache, entry);
        }
        for (const [cache, { hit, miss }] of totals) {
          if (hit + miss > 0) gauge.set({ cache }, hit / (hit + miss));
        }
      },
    );
    this.metrics.gauge(
      'redis_cache_node',
      'The cache node INFO figures (node-wide): evicted_keys, expired_keys, keyspace_hits, keyspace_misses, used_memory, maxmemory.',
      ['stat'],
      async (gauge) => {
        const stats = await this.sample(async () => parseInfo(await this.redis.info()));
        if (!stats) return;
        for (const stat of [
          'evicted_keys',
          'expired_keys',
          'keyspace_hits',
          'keyspace_misses',
          'used_memory',
          'maxmemory',
        ]) {
          if (stats[stat] !== undefined) gauge.set({ stat }, Number(stats[stat]));
        }
      },
    );
    this.metrics.gauge(
      'catalog_write_back_queue_depth',
      'Products with write-back changes not yet in Postgres (shared queue).',
      [],
      async (gauge) => {
        const value = await this.sample(() => this.products.writeBack.depth());
        if (value !== undefined) gauge.set(value);
      },
    );
    this.metrics.gauge(
      'catalog_write_back_flush_lag_seconds',
      'Age of the oldest write-back change not yet in Postgres (0 when the queue is empty).',
      [],
      async (gauge) => {
        const value = await this.sample(() => this.products.writeBack.lagMs());
        if (value !== undefined) gauge.set(value / 1_000);
      },
    );
  }

  private async sample<T>(read: () => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), SAMPLE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([read(), timeout]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

export const parseInfo = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\r\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
  );
