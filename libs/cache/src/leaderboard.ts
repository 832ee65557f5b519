import type { Redis } from 'ioredis';

export interface Ranked {
  member: string;
  score: number;
}

export interface LeaderboardOptions {
  /** Width of one time bucket for the windowed ranking (default 60 s). */
  bucketSeconds?: number;
  /** How many buckets make the window (default 60: the last hour in minutes). */
  windowBuckets?: number;
  /** How long an event id is remembered, so a redelivered event is not counted twice (default 7 days). */
  dedupTtlSeconds?: number;
}

// One event, counted once: the event id is claimed with SET NX in the same script as the increments,
// so a redelivery (at-least-once Kafka) finds the id and changes nothing, and a crash cannot leave the
// id claimed without the counts (or the counts without the id).
const RECORD = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[1])) then return 0 end
local bucketTtl = tonumber(ARGV[2])
for i = 3, #ARGV, 2 do
  redis.call('ZINCRBY', KEYS[2], tonumber(ARGV[i + 1]), ARGV[i])
  if bucketTtl > 0 then redis.call('ZINCRBY', KEYS[3], tonumber(ARGV[i + 1]), ARGV[i]) end
end
if bucketTtl > 0 then redis.call('EXPIRE', KEYS[3], bucketTtl) end
return 1`;

/**
 * A top-N ranking in Redis sorted sets: all-time (`<prefix>:all`) and a sliding window made of
 * per-bucket sets (`<prefix>:b:<bucket>`, each expiring once it leaves the window) that are summed
 * with ZUNIONSTORE when read. ZINCRBY is O(log n) and ZREVRANGE of the top n is O(log n + n), so the
 * ranking stays cheap however many members it has.
 */
export class Leaderboard {
  private readonly bucketSeconds: number;
  private readonly windowBuckets: number;
  private readonly dedupTtlSeconds: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: LeaderboardOptions = {},
  ) {
    this.bucketSeconds = options.bucketSeconds ?? 60;
    this.windowBuckets = options.windowBuckets ?? 60;
    this.dedupTtlSeconds = options.dedupTtlSeconds ?? 7 * 24 * 3600;
  }

  bucketOf(atMs: number): number {
    return Math.floor(atMs / 1_000 / this.bucketSeconds);
  }

  /**
   * Adds the scores of one event (e.g. the quantities of one confirmed order) at the time it happened.
   * Returns false if this event id was already recorded.
   */
  async record(eventId: string, entries: Ranked[], atMs: number, nowMs = Date.now()): Promise<boolean> {
    const bucket = this.bucketOf(atMs);
    // The bucket is read until the window has moved past it; an event older than the window only counts all-time.
    const lastNeededMs = (bucket + this.windowBuckets) * this.bucketSeconds * 1_000;
    const bucketTtl = Math.max(0, Math.ceil((lastNeededMs - nowMs) / 1_000) + this.bucketSeconds);
    const args = entries.flatMap((e) => [e.member, String(e.score)]);
    const recorded = await this.redis.eval(
      RECORD,
      3,
      `${this.prefix}:seen:${eventId}`,
      `${this.prefix}:all`,
      `${this.prefix}:b:${bucket}`,
      this.dedupTtlSeconds,
      lastNeededMs > nowMs ? bucketTtl : 0,
      ...args,
    );
    return recorded === 1;
  }

  /** The n highest all-time scores, best first. */
  async top(n: number): Promise<Ranked[]> {
    return toRanked(await this.redis.zrevrange(`${this.prefix}:all`, 0, n - 1, 'WITHSCORES'));
  }

  /** The n highest scores over the window ending now, best first (sum of the window's buckets). */
  async topInWindow(n: number, nowMs = Date.now()): Promise<Ranked[]> {
    const current = this.bucketOf(nowMs);
    const keys = Array.from({ length: this.windowBuckets }, (_, i) => `${this.prefix}:b:${current - i}`);
    const dest = `${this.prefix}:window:${current}`;
    // One MULTI: the union and the read see the same buckets; the scratch result expires by itself.
    const results = await this.redis
      .multi()
      .zunionstore(dest, keys.length, ...keys)
      .zrevrange(dest, 0, n - 1, 'WITHSCORES')
      .expire(dest, 5)
      .exec();
    const [error, flat] = results?.[1] ?? [new Error('transaction aborted'), []];
    if (error) throw error;
    return toRanked(flat as string[]);
  }
}

/** Members whose score was taken back to 0 (or below) stay in the set but are not ranked. */
const toRanked = (flat: string[]): Ranked[] => {
  const ranked: Ranked[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const score = Number(flat[i + 1]);
    if (score > 0) ranked.push({ member: flat[i], score });
  }
  return ranked;
};
