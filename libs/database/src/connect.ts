import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { sleep } from '@sdp/scheduling';

/**
 * Errors that only mean "not yet" while a stack starts: the database's host name is not in DNS yet
 * (a container network's resolver registers names as containers start), Postgres is still
 * starting up (SQLSTATE 57P03), or it did not finish the handshake within the pool's connection
 * timeout (pg-pool's error has no code, only this message: the compose tier saw it once, nine
 * migrate jobs connecting at once to a Postgres on two loaded cores). A refused connection or a bad
 * password is not retried: those are configuration or an outage, and the service must fail fast
 * and say so.
 */
const STARTUP_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', '57P03']);
const CONNECT_TIMEOUT = 'Connection terminated due to connection timeout';

const reason = (error: unknown): string => {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return code;
  return message === CONNECT_TIMEOUT ? 'connect timeout' : '';
};

export const isStartupRace = (error: unknown): boolean => {
  const why = reason(error);
  return STARTUP_CODES.has(why) || why === 'connect timeout';
};

/**
 * Runs `attempt` until it succeeds, retrying start-up races (and only those) for up to `withinMs`
 * with growing pauses. `what` names the step in the warning.
 */
export async function retryStartupRaces<T>(
  what: string,
  attempt: () => Promise<T>,
  withinMs: number,
  logger = new Logger('Database'),
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isStartupRace(error) || Date.now() >= deadline) throw error;
      const pauseMs = Math.min(100 * 2 ** n, 2_000);
      logger.warn(`${what}: postgres not reachable yet (${reason(error)}); retry in ${pauseMs} ms`);
      await sleep(pauseMs);
    }
  }
}

/** Connects a fresh data source per attempt (a failed one is not reused), retrying start-up races. */
export const connectWhenReachable = (
  create: () => DataSource,
  withinMs = 30_000,
  logger?: Logger,
): Promise<DataSource> => retryStartupRaces('connect', () => create().initialize(), withinMs, logger);
