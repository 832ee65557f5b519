import { sleep } from './sleep';

export interface PeriodicTaskOptions {
  /** The work of one tick. The next tick waits for it: runs never overlap. */
  run: () => Promise<unknown>;
  /** Pause between the end of one run and the start of the next. */
  intervalMs: number;
  /** Wait before the first run (default: intervalMs; 0 runs at once). */
  firstRunAfterMs?: number;
  /** A failed run is reported here and the next tick tries again. */
  onError: (error: unknown) => void;
}

/**
 * A background job that runs, waits `intervalMs`, and runs again until stopped: the relay, the
 * sweeper, outbox retention and the write-back flusher all share it. A fixed pause after each run
 * (not a fixed rate) means a slow run is never joined by the next one, and `stop()` returns only
 * when the run in flight has finished, so a shutting-down service closes no pool under a job.
 */
export class PeriodicTask {
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: PeriodicTaskOptions) {}

  start(): void {
    if (this.abort) return;
    const abort = new AbortController();
    this.abort = abort;
    this.loop = this.runUntil(abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.abort = undefined;
    this.loop = undefined;
  }

  private async runUntil(signal: AbortSignal): Promise<void> {
    const { run, intervalMs, firstRunAfterMs = intervalMs, onError } = this.options;
    let pause = firstRunAfterMs;
    while (await pauseUnlessStopped(pause, signal)) {
      await run().catch(onError);
      pause = intervalMs;
    }
  }
}

/** false when stopped during (or before) the pause. */
async function pauseUnlessStopped(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms > 0) await sleep(ms, { signal, unref: true });
  return !signal.aborted;
}
