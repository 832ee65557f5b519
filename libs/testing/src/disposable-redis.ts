import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './free-ports';
import { waitFor } from './wait-for';

export interface DisposableRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL): the closest thing to a crashed cache node. */
  kill(): Promise<void>;
}

/** A private redis-server for a test that needs to stop it, without disturbing the shared nodes. */
export async function startDisposableRedis(): Promise<DisposableRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await waitFor(
      async () => {
        if (probe.status !== 'ready') await probe.connect().catch(() => undefined);
        return (await probe.ping()) === 'PONG';
      },
      { timeoutMs: 5_000, what: `redis-server on ${port}` },
    );
  } finally {
    probe.disconnect();
  }
  return {
    url,
    port,
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
