import { Redis, type RedisOptions } from 'ioredis';
import { sleep } from '@sdp/scheduling';

export type RedisConnectionRole = 'cache' | 'lock';

export interface RedisConnectionOptions {
  url: string;
  /** Shown in logs and in CLIENT LIST so you can tell connections apart. */
  name: string;
  role: RedisConnectionRole;
  /** Called on connection errors; ioredis would otherwise print them unthrottled. */
  onError?: (error: Error) => void;
}

/** Reconnect with capped exponential backoff; never give up (the node may come back). */
export const reconnectDelay = (attempt: number): number => Math.min(50 * 2 ** attempt, 2_000);

/**
 * Options per role. Both fail fast instead of queueing commands while disconnected: a cache that
 * is down must degrade to the database at once, and a lock node that is down must count as a
 * failed vote at once, not stall the caller until the node returns.
 */
export function redisOptions(options: RedisConnectionOptions): RedisOptions {
  return {
    connectionName: options.name,
    connectTimeout: 2_000,
    commandTimeout: options.role === 'cache' ? 500 : 1_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    lazyConnect: false,
    retryStrategy: reconnectDelay,
    // Cache traffic is many small concurrent commands (reads, the gateway's rate-limit script):
    // commands issued in the same tick leave in one write instead of one syscall each.
    enableAutoPipelining: options.role === 'cache',
  };
}

export function createRedis(options: RedisConnectionOptions): Redis {
  const client = new Redis(options.url, redisOptions(options));
  if (options.onError) client.on('error', options.onError);
  else client.on('error', () => undefined); // the caller sees failures on the command itself
  return client;
}

/** Resolves once the client is connected and answers PING, or rejects after timeoutMs. */
export async function waitForRedis(client: Redis, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (client.status === 'ready' && (await client.ping()) === 'PONG') return;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline)
      throw new Error(`Redis ${client.options.connectionName ?? ''} not ready after ${timeoutMs} ms`);
    await sleep(50);
  }
}
