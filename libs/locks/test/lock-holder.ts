// A lock holder in a process of its own, for the paused-holder tests (lock.int-spec.ts): the test
// stops it with SIGSTOP (a GC pause, a frozen VM) and resumes it with SIGCONT. It prints one JSON line
// per event on stdout: {"event":"holding","fencingToken":...} once it holds the lock, then
// {"event":"lost","reason":...} when its signal is aborted (the lock is gone).
import { createRedis } from '@sdp/redis';
import { RedlockLockService, ZooKeeperLockService, type LockService } from '../src';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`lock-holder: ${name} is required`);
  return value;
};

function lockService(): LockService {
  const keyPrefix = env('HOLDER_KEY_PREFIX');
  if (env('HOLDER_BACKEND') === 'zookeeper') {
    return new ZooKeeperLockService({
      connectionString: env('ZOOKEEPER_URL'),
      sessionTimeoutMs: Number(env('HOLDER_SESSION_TIMEOUT_MS')),
      keyPrefix,
      retryCount: 0,
      owner: `lock-holder pid ${process.pid}`,
    });
  }
  const clients = env('REDIS_LOCK_URLS')
    .split(',')
    .map((url, i) => createRedis({ url, name: `lock-holder-${i}`, role: 'lock' }));
  return new RedlockLockService(clients, { keyPrefix, retryCount: 0 });
}

const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(): Promise<void> {
  const locks = lockService();
  await locks.withLock(env('HOLDER_RESOURCE'), Number(env('HOLDER_TTL_MS')), async (signal, grants) => {
    say({ event: 'holding', fencingToken: grants[0].fencingToken?.toString() ?? null });
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    say({ event: 'lost', reason: String(signal.reason) });
  });
  await locks.drain(1_000);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    say({ event: 'error', error: String(error) });
    process.exit(1);
  },
);
