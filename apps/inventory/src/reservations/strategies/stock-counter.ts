import type { Redis } from 'ioredis';

// Available units of each SKU, counted in Redis: the gate of the redis-counter strategy. A hot SKU's
// flood of buyers is answered by one Lua script per request (atomic on the Redis node: no lock, no
// race between the check and the decrement), and only the admitted ones go on to Postgres.
//
// The counter is a cache of Postgres's `on_hand - reserved`, not the truth: it is loaded from
// Postgres when missing (SET NX, so concurrent loaders agree) and expires after a short TTL, so
// releases, sales and admin changes made in Postgres show up within that TTL. While it is stale it
// may admit a buyer Postgres then refuses (the conditional UPDATE is the backstop) or refuse one
// Postgres would have taken; it can never make Postgres oversell.

/** All lines or none: -1 and the missing key's index, 0 and the short key's index and count, or 1. */
const TAKE = `
for i, key in ipairs(KEYS) do
  local left = redis.call('GET', key)
  if not left then return {-1, i} end
  if tonumber(left) < tonumber(ARGV[i]) then return {0, i, tonumber(left)} end
end
for i, key in ipairs(KEYS) do redis.call('DECRBY', key, ARGV[i]) end
return {1}`;

/** Gives units back, only to counters that still exist (an expired one reloads from Postgres). */
const GIVE_BACK = `
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('INCRBY', key, ARGV[i]) end
end
return 1`;

export type TakeResult =
  { taken: true } | { taken: false; missing: string } | { taken: false; sku: string; left: number };

type Line = { sku: string; quantity: number };

export class StockCounter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly ttlMs: number,
  ) {}

  key(sku: string): string {
    return `${this.keyPrefix}${sku}`;
  }

  async take(lines: Line[]): Promise<TakeResult> {
    const answer = (await this.redis.eval(
      TAKE,
      lines.length,
      ...lines.map((l) => this.key(l.sku)),
      ...lines.map((l) => l.quantity),
    )) as number[];
    if (answer[0] === 1) return { taken: true };
    const sku = lines[answer[1] - 1].sku;
    return answer[0] === -1 ? { taken: false, missing: sku } : { taken: false, sku, left: answer[2] };
  }

  async giveBack(lines: Line[]): Promise<void> {
    await this.redis.eval(
      GIVE_BACK,
      lines.length,
      ...lines.map((l) => this.key(l.sku)),
      ...lines.map((l) => l.quantity),
    );
  }

  /** Loads a counter from Postgres's figure unless another request loaded it first. */
  async load(sku: string, available: number): Promise<void> {
    await this.redis.set(this.key(sku), Math.max(available, 0), 'PX', this.ttlMs, 'NX');
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Drops a counter so the next request reloads it (after an admin changed on-hand). */
  async forget(sku: string): Promise<void> {
    await this.redis.del(this.key(sku));
  }
}
