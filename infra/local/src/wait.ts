// Wait-for-condition with a timeout, and a TCP port probe.
import net from 'node:net';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  what: string;
  /** Checked on every round: a reason to stop waiting early (e.g. the process exited). */
  abort?: () => string | undefined;
}

export async function waitFor(check: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const aborted = options.abort?.();
    if (aborted) throw new Error(`gave up waiting for ${options.what}: ${aborted}`);
    if (await check().catch(() => false)) return;
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${options.timeoutMs / 1000}s waiting for ${options.what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
