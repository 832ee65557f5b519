// What the runner needs to know about one server.
import type { InfraPaths } from '../paths';
import type { RunAs, Spawned } from '../process';

export interface ServerContext {
  paths: InfraPaths;
  repoRoot: string;
  /** Absolute paths of the binaries found by the pre-flight check, by name. */
  bins: Record<string, string>;
  /** Set when running as root: the account Postgres runs as. */
  runAs: RunAs | undefined;
  /** Live progress line for the task. */
  report: (line: string) => void;
}

export interface Server {
  name: string;
  port: number;
  /** Signal for a clean, quick shutdown. */
  stopSignal: NodeJS.Signals;
  startTimeoutMs: number;
  /** Prepares state (init, format, jars) and spawns the process. */
  start(ctx: ServerContext): Promise<Spawned>;
  /** One readiness probe; polled until true or the timeout. */
  isReady(ctx: ServerContext): Promise<boolean>;
  /** Idempotent set-up once ready (database, topics); runs on every `up`. */
  afterReady?(ctx: ServerContext): Promise<void>;
}
