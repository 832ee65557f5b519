/**
 * Coalesces concurrent calls for the same key inside one process: the first caller runs the work,
 * everyone who asks while it runs gets the same promise. (Across processes see CacheAside's lock.)
 */
export class SingleFlight {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): { promise: Promise<T>; leader: boolean } {
    const existing = this.inFlight.get(key) as Promise<T> | undefined;
    if (existing) return { promise: existing, leader: false };
    const promise = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return { promise, leader: true };
  }

  get size(): number {
    return this.inFlight.size;
  }
}
