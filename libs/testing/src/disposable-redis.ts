import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { waitFor } from './wait-for';

export interface DisposableRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL): the closest thing to a crashed cache node. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/**
 * n distinct free ports: all n listeners are open at once before any closes, so the kernel cannot
 * hand the same port out twice (one freePort() after another can, once the first one closed).
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              if (typeof address === 'object' && address) resolve(address.port);
              else reject(new Error('no port'));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(
      servers.map(
        (server) => new Promise((resolve) => (server.listening ? server.close(resolve) : resolve(null))),
      ),
    );
  }
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
