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

// Claims up to ARGV[1] dirty ids and their pending fields in one atomic step: SPOP removes the ids,
// HGETALL + DEL takes the fields. Two replicas can never claim the same write, so no write is applied twice.
const CLAIM = `
local ids = redis.call('SPOP', KEYS[1], tonumber(ARGV[1]))
local out = {}
for _, id in ipairs(ids) do
  local key = ARGV[2] .. id
  local fields = redis.call('HGETALL', key)
  redis.call('DEL', key)
  if #fields > 0 then
    table.insert(out, id)
    table.insert(out, fields)
  end
end
return out`;

// Records a write: merge the fields into the entity's pending hash, mark it dirty, remember when the
// oldest unflushed write arrived (for the flush-lag metric) -- all in one step.
const ENQUEUE = `
local key = ARGV[1] .. ARGV[2]
for i = 4, #ARGV, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[2])
return redis.call('SCARD', KEYS[1])`;

// Puts a claimed batch back after a failed flush. HSETNX: a field written again since the claim is
// newer than the claimed one and must win.
const REQUEUE = `
local n = 0
for i = 1, #ARGV, 2 do
  local key = KEYS[2] .. ARGV[i]
  local fields = cjson.decode(ARGV[i + 1])
  for field, value in pairs(fields) do redis.call('HSETNX', key, field, value) end
  redis.call('SADD', KEYS[1], ARGV[i])
  n = n + 1
end
return n`;

export interface PendingWrite {
  id: string;
  fields: Record<string, string>;
}

/**
 * The write-back (write-behind) queue in Redis: a set of dirty ids plus one hash of pending fields per
 * id. Later writes to the same id merge into its hash, so a flush applies the latest value once.
 *
 * Durability: acknowledged writes live only in Redis until flushed. A crashed app replica loses nothing
 * that reached Redis (any other replica, or the restarted one, flushes it), but a batch claimed and not
 * yet committed when the claiming process dies is lost, and so is everything if Redis itself dies
 * without persistence. That window is the price of write-back.
 */
export class WriteBackQueue {
  private readonly dirtyKey: string;
  private readonly sinceKey: string;
  private readonly pendingPrefix: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.dirtyKey = `${prefix}:dirty`;
    this.sinceKey = `${prefix}:dirty-since`;
    this.pendingPrefix = `${prefix}:pending:`;
  }

  /** Records the write; resolves with the number of ids waiting to be flushed. */
  async enqueue(id: string, fields: Record<string, string>, now = Date.now()): Promise<number> {
    const args = Object.entries(fields).flat();
    return Number(
      await this.redis.eval(ENQUEUE, 2, this.dirtyKey, this.sinceKey, this.pendingPrefix, id, now, ...args),
    );
  }

  /** Pending (not yet flushed) fields of one id, to overlay on a value loaded from the database. */
  async pending(id: string): Promise<Record<string, string>> {
    return this.redis.hgetall(`${this.pendingPrefix}${id}`);
  }

  /** Atomically takes up to `count` dirty ids off the queue; whoever claims a write must apply it. */
  async claim(count: number): Promise<PendingWrite[]> {
    const raw = (await this.redis.eval(CLAIM, 1, this.dirtyKey, count, this.pendingPrefix)) as (
      string | string[]
    )[];
    const claimed: PendingWrite[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const flat = raw[i + 1] as string[];
      const fields: Record<string, string> = {};
      for (let j = 0; j < flat.length; j += 2) fields[flat[j]] = flat[j + 1];
      claimed.push({ id: raw[i] as string, fields });
    }
    return claimed;
  }

  /** Returns a claimed batch to the queue (the flush failed); changes made since the claim are kept. */
  async requeue(batch: PendingWrite[]): Promise<void> {
    if (batch.length === 0) return;
    const args = batch.flatMap((w) => [w.id, JSON.stringify(w.fields)]);
    await this.redis.eval(REQUEUE, 2, this.dirtyKey, this.pendingPrefix, ...args);
  }

  /** Marks ids flushed (for the lag metric); ids written again meanwhile are dirty again and stay. */
  async flushed(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const stillDirty = await this.redis.smismember(this.dirtyKey, ...ids);
    const done = ids.filter((_, i) => !stillDirty[i]);
    if (done.length) await this.redis.zrem(this.sinceKey, ...done);
  }

  async depth(): Promise<number> {
    return this.redis.scard(this.dirtyKey);
  }

  /** Milliseconds since the oldest write that is not in the database yet (0 when none). */
  async lagMs(now = Date.now()): Promise<number> {
    const oldest = await this.redis.zrange(this.sinceKey, '0', '0', 'WITHSCORES');
    return oldest.length ? Math.max(0, now - Number(oldest[1])) : 0;
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
