import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { CACHE_REDIS } from '@sdp/redis';
import type { Redis } from 'ioredis';
import { ORDERS_CONFIG, type OrdersConfig } from '../config';
import type { CartLine } from './dto/cart.dto';

/**
 * Add or set one line, atomically. A Lua script because the rule "a line stays <= 100 and a cart
 * has <= 50 lines" needs a read and a write that no other request may interleave with: HINCRBY
 * alone cannot refuse, and WATCH/MULTI would need a retry loop under contention. Redis runs the
 * script as one command, so two replicas adding to the same cart at once cannot overshoot.
 * Returns {newQuantity, previous} or a negative code: -1 too many of the item, -2 too many lines,
 * -3 (set only) the line is not in the cart.
 */
const UPSERT_LINE = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if ARGV[3] == 'set' and current == 0 then return {-3, 0} end
local wanted = tonumber(ARGV[2])
if ARGV[3] == 'add' then wanted = current + wanted end
if wanted > tonumber(ARGV[4]) then return {-1, current} end
if current == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[5]) then return {-2, current} end
redis.call('HSET', KEYS[1], ARGV[1], wanted)
redis.call('EXPIRE', KEYS[1], ARGV[6])
return {wanted, current}
`;

export type UpsertResult =
  | { ok: true; quantity: number }
  | { ok: false; reason: 'line_too_large' | 'too_many_lines' | 'not_in_cart'; current: number };

interface CartRedis extends Redis {
  upsertCartLine(
    key: string,
    sku: string,
    quantity: number,
    mode: 'add' | 'set',
    maxQuantity: number,
    maxLines: number,
    ttlSeconds: number,
  ): Promise<[number, number]>;
}

const reasons = { '-1': 'line_too_large', '-2': 'too_many_lines', '-3': 'not_in_cart' } as const;

/** The cart: one Redis hash per user (field SKU → quantity), expiring CART_TTL_SECONDS after the last write. */
@Injectable()
export class CartRepository {
  private readonly redis: CartRedis;

  constructor(
    @Inject(CACHE_REDIS) redis: Redis,
    @Inject(ORDERS_CONFIG) private readonly config: OrdersConfig,
  ) {
    if (!('upsertCartLine' in redis))
      redis.defineCommand('upsertCartLine', { numberOfKeys: 1, lua: UPSERT_LINE });
    this.redis = redis as CartRedis;
  }

  keyOf(userId: string): string {
    return `${this.config.CART_KEY_PREFIX}:${userId}`;
  }

  async lines(userId: string): Promise<CartLine[]> {
    const hash = await this.run(() => this.redis.hgetall(this.keyOf(userId)));
    return Object.entries(hash)
      .map(([sku, quantity]) => ({ sku, quantity: Number(quantity) }))
      .sort((a, b) => a.sku.localeCompare(b.sku));
  }

  async upsert(
    userId: string,
    line: CartLine,
    mode: 'add' | 'set',
    limits: { maxQuantity: number; maxLines: number },
  ): Promise<UpsertResult> {
    const [result, current] = await this.run(() =>
      this.redis.upsertCartLine(
        this.keyOf(userId),
        line.sku,
        line.quantity,
        mode,
        limits.maxQuantity,
        limits.maxLines,
        this.config.CART_TTL_SECONDS,
      ),
    );
    if (result > 0) return { ok: true, quantity: result };
    return { ok: false, reason: reasons[String(result) as keyof typeof reasons], current };
  }

  async remove(userId: string, skus: string[]): Promise<void> {
    if (skus.length === 0) return;
    const key = this.keyOf(userId);
    // EXPIRE on a key that HDEL emptied is a no-op; otherwise the remaining lines get a fresh TTL.
    await this.run(() =>
      this.redis
        .multi()
        .hdel(key, ...skus)
        .expire(key, this.config.CART_TTL_SECONDS)
        .exec(),
    );
  }

  async clear(userId: string): Promise<void> {
    await this.run(() => this.redis.del(this.keyOf(userId)));
  }

  /** The cart lives only in Redis: without it, cart calls are a retryable 503, not a 500. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new ServiceUnavailableException(
        `cart store is unavailable; try again shortly (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
}
