import type { Redis } from 'ioredis';

/**
 * How a write reaches the cache and the database:
 * - write-around: database first, then drop the cached copy (the next read is a MISS that loads it).
 * - write-through: database first, then put the new value in the cache (the next read is a HIT).
 * - write-back: the cache takes the write and answers; a flusher writes the database later, in batches.
 */
export const writeStrategies = ['write-around', 'write-through', 'write-back'] as const;
export type WriteStrategy = (typeof writeStrategies)[number];

export const isWriteStrategy = (value: unknown): value is WriteStrategy =>
  typeof value === 'string' && (writeStrategies as readonly string[]).includes(value);

/**
 * The strategy lives in Redis so every replica agrees and an admin can switch it at runtime; the
 * configured default applies until someone sets it (or when Redis cannot be read).
 */
export class WriteStrategySetting {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly fallback: WriteStrategy,
  ) {}

  async get(): Promise<WriteStrategy> {
    const stored = await this.redis.get(this.key).catch(() => null);
    return isWriteStrategy(stored) ? stored : this.fallback;
  }

  async set(strategy: WriteStrategy): Promise<void> {
    await this.redis.set(this.key, strategy);
  }
}

// Takes every accumulated counter at once: RENAME moves the hash aside atomically, so increments that
// arrive during the flush land in a fresh hash and are never lost or counted twice.
const TAKE_COUNTERS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
redis.call('RENAME', KEYS[1], KEYS[2])
local all = redis.call('HGETALL', KEYS[2])
redis.call('DEL', KEYS[2])
return all`;

/**
 * Write-back for counters (views, popularity): HINCRBY in Redis on the hot path, summed into the
 * database in batches. Losing a few increments on a crash is acceptable for these numbers, which is
 * exactly why write-back fits them.
 */
export class CounterBuffer {
  private readonly claimKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {
    this.claimKey = `${key}:flushing`;
  }

  async incr(id: string, by = 1): Promise<void> {
    await this.redis.hincrby(this.key, id, by);
  }

  /** Atomically takes all counts accumulated so far. */
  async take(): Promise<Map<string, number>> {
    const flat = (await this.redis.eval(TAKE_COUNTERS, 2, this.key, this.claimKey)) as string[];
    const counts = new Map<string, number>();
    for (let i = 0; i < flat.length; i += 2) counts.set(flat[i], Number(flat[i + 1]));
    return counts;
  }
}
