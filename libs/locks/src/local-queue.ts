import { Mutex } from 'async-mutex';
import { lockOrder } from './keys';

/**
 * A queue per resource inside one process, in front of the distributed lock. Without it, a flash
 * sale's 500 concurrent requests for one SKU would all poll Redis for the same Redlock key
 * (hundreds of round trips per second, the lock hand-off delayed by polling). With it, each replica
 * sends one contender at a time; the rest wait their turn in memory and can re-check stock first.
 * Keys are taken in sorted order, like the distributed locks, so two multi-key callers cannot
 * deadlock each other here either.
 */
export class LocalQueue {
  private readonly mutexes = new Map<string, { mutex: Mutex; users: number }>();

  async run<T>(resources: readonly string[], fn: () => Promise<T>): Promise<T> {
    const keys = lockOrder(resources);
    const entries = keys.map((key) => this.enter(key));
    const releases: (() => void)[] = [];
    try {
      for (const entry of entries) releases.push(await entry.mutex.acquire());
      return await fn();
    } finally {
      releases.reverse().forEach((release) => release());
      keys.forEach((key) => this.leave(key));
    }
  }

  /** Resources with someone holding or waiting (for tests and metrics). */
  get size(): number {
    return this.mutexes.size;
  }

  private enter(key: string): { mutex: Mutex } {
    const entry = this.mutexes.get(key) ?? { mutex: new Mutex(), users: 0 };
    entry.users++;
    this.mutexes.set(key, entry);
    return entry;
  }

  // Forget a key's mutex once nobody uses it, so the map does not grow with every SKU ever seen.
  private leave(key: string): void {
    const entry = this.mutexes.get(key)!;
    if (--entry.users === 0) this.mutexes.delete(key);
  }
}
