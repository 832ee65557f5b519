import { Inject, Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '@sdp/observability';
import { CACHE_REDIS } from '@sdp/redis';
import type { Counter } from 'prom-client';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import type { RateLimitClass } from '../routes/route-table';
import type { RateLimitDecision } from './rate-limit-headers';

/**
 * Rate limits shared by every gateway replica: the counters are in Redis, so two replicas behind
 * the edge give a caller one quota, not two.
 *
 * Algorithm: fixed window per key (rate-limiter-flexible's RateLimiterRedis). The first request of
 * a key creates a counter with a TTL of one window; each request increments it in one Lua script
 * (atomic across replicas); over the limit → refused until the key expires. Cheap (one round trip,
 * one key per caller) and easy to explain in headers; the cost is a burst of up to 2× the limit
 * across a window boundary. docs/rate-limiting.md compares it with sliding windows and buckets.
 *
 * If Redis does not answer, requests go through (fail open) — logged, counted in
 * gateway_rate_limit_store_errors_total — because refusing every request when a counter store is
 * down would turn a cache outage into a full outage.
 */
@Injectable()
export class RateLimitService {
  private readonly logger = new Logger(RateLimitService.name);
  private readonly limiters: Record<RateLimitClass, RateLimiterRedis>;
  private readonly refused: Counter<'class'>;
  private readonly storeErrors: Counter<'class'>;
  private lastWarning = 0;

  constructor(
    @Inject(CACHE_REDIS) redis: Redis,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    metrics: MetricsService,
  ) {
    const make = (name: RateLimitClass, points: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.RATE_LIMIT_KEY_PREFIX}:${name}`,
        points,
        duration: config.RATE_LIMIT_WINDOW_SECONDS,
      });
    this.limiters = {
      default: make('default', config.RATE_LIMIT_PER_MINUTE),
      checkout: make('checkout', config.CHECKOUT_RATE_LIMIT_PER_MINUTE),
      auth: make('auth', config.AUTH_RATE_LIMIT_PER_MINUTE),
    };
    this.refused = metrics.counter(
      'gateway_rate_limited_total',
      'Requests refused with 429, by rate-limit class.',
      ['class'],
    );
    this.storeErrors = metrics.counter(
      'gateway_rate_limit_store_errors_total',
      'Rate-limit checks that could not reach Redis and let the request through (fail open).',
      ['class'],
    );
  }

  /** Key: `user:<id>` for a signed-in caller, `ip:<address>` otherwise. Undefined when Redis is down. */
  async consume(limitClass: RateLimitClass, key: string): Promise<RateLimitDecision | undefined> {
    const limiter = this.limiters[limitClass];
    const base = { limit: limiter.points, windowSeconds: this.config.RATE_LIMIT_WINDOW_SECONDS };
    try {
      const res = await limiter.consume(key);
      return { ...base, allowed: true, remaining: res.remainingPoints, msBeforeReset: res.msBeforeNext };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        this.refused.inc({ class: limitClass });
        return { ...base, allowed: false, remaining: 0, msBeforeReset: rejection.msBeforeNext };
      }
      this.storeErrors.inc({ class: limitClass });
      if (Date.now() - this.lastWarning > 5_000) {
        this.lastWarning = Date.now();
        const message = rejection instanceof Error ? rejection.message : String(rejection);
        this.logger.warn(`rate limit store unavailable, letting requests through: ${message}`);
      }
      return undefined;
    }
  }
}
