import { DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ReadinessService } from '@sdp/observability';
import type { Redis } from 'ioredis';
import { createRedis } from './connect';

/** DI token for the cache node's client. */
export const CACHE_REDIS = Symbol('CACHE_REDIS');

/**
 * The Redis cache node as an injectable client (`@Inject(CACHE_REDIS)`), with a readiness check.
 * Connection errors are logged at most once per 5 s: callers degrade without the cache.
 */
@Global()
@Module({})
export class CacheRedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(CACHE_REDIS) private readonly redis: Redis,
    readiness: ReadinessService,
  ) {
    readiness.register('redis-cache', () => this.redis.ping());
  }

  static forRoot({ url, name }: { url: string; name: string }): DynamicModule {
    return {
      module: CacheRedisModule,
      providers: [
        {
          provide: CACHE_REDIS,
          useFactory: (): Redis => {
            const logger = new Logger('RedisCache');
            let lastLogged = 0;
            return createRedis({
              url,
              name,
              role: 'cache',
              onError: (error) => {
                if (Date.now() - lastLogged < 5_000) return;
                lastLogged = Date.now();
                logger.warn(`cache node unavailable: ${error.message}`);
              },
            });
          },
        },
      ],
      exports: [CACHE_REDIS],
    };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
