// Runs the replicas as child processes through concurrently's programmatic API (prefixed, coloured,
// line-buffered output; process-tree kill), with what concurrently's CLI flow lacks here: output held
// back until every replica is ready, readiness polling, loud crash reports, SIGTERM-then-SIGKILL.
import { spawn as spawnChild } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { Command, LogError, LogOutput, Logger, createConcurrently } from 'concurrently';
import { describeExit, OutputTail, replicaCommand, type Replica } from './replicas';
import { waitFor } from './wait';

const colors = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red', 'white', 'gray'];

export interface ReplicaProcesses {
  /** Resolves when every replica's /ready answers 200; rejects naming the first that did not. */
  waitReady(timeoutMs: number): Promise<void>;
  /** Starts printing the replicas' output (held back until then). */
  streamLogs(): void;
  /** SIGTERM to every running replica, SIGKILL to those still running after `graceMs`. */
  stop(graceMs: number): Promise<void>;
  /** Resolves once every replica has exited (crashed or stopped). */
  allExited: Promise<void>;
}

export function startReplicas(
  replicas: readonly Replica[],
  options: { cwd: string; onCrash: (replica: Replica, how: string, tail: string) => void },
): ReplicaProcesses {
  const logger = new Logger({ prefixFormat: 'name' });
  logger.setPrefixLength(Math.max(...replicas.map((r) => r.id.length)));
  const held = new PassThrough(); // concurrently writes here; piped to stdout once all are ready
  const { commands } = createConcurrently(
    replicas.map((r, i) => ({
      name: r.id,
      command: replicaCommand(process.execPath, r),
      env: r.env,
      prefixColor: colors[i % colors.length],
    })),
    {
      logger,
      outputStream: held,
      cwd: options.cwd,
      controllers: [new LogError({ logger }), new LogOutput({ logger })],
      // Own process group: a terminal's Ctrl-C reaches only us, and we decide how replicas stop.
      spawn: (command, spawnOptions) =>
        spawnChild('/bin/sh', ['-c', command], { ...spawnOptions, detached: true }),
    },
  );

  let stopping = false;
  const tails = replicas.map(() => new OutputTail());
  const exits: (string | undefined)[] = replicas.map(() => undefined);
  const exited = commands.map(
    (command, i) =>
      new Promise<void>((resolve) => {
        const keep = (chunk: Buffer) => tails[i].push(chunk.toString());
        command.stdout.subscribe(keep);
        command.stderr.subscribe(keep);
        command.error.subscribe((err) => {
          exits[i] = `failed to start: ${String(err)}`;
          resolve();
        });
        command.close.subscribe(({ exitCode }) => {
          exits[i] = describeExit(exitCode);
          if (!stopping) options.onCrash(replicas[i], exits[i], tails[i].text());
          resolve();
        });
      }),
  );

  const isReady = async (url: string): Promise<boolean> => {
    const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) });
    return res.status === 200;
  };

  return {
    async waitReady(timeoutMs) {
      await Promise.all(
        replicas.map(async (r, i) => {
          try {
            await waitFor(() => isReady(r.url), {
              timeoutMs,
              intervalMs: 250,
              what: `${r.id} at ${r.url}/ready`,
              abort: () => (exits[i] ? `the process ended (${exits[i]})` : undefined),
            });
          } catch (err) {
            throw new Error(`${(err as Error).message}\n--- last output of ${r.id} ---\n${tails[i].text()}`, {
              cause: err,
            });
          }
        }),
      );
    },
    streamLogs() {
      held.pipe(process.stdout);
    },
    async stop(graceMs) {
      stopping = true;
      const running = () => commands.filter((c) => Command.canKill(c));
      for (const c of running()) c.kill('SIGTERM');
      const timer = setTimeout(() => {
        for (const c of running()) {
          console.error(`${c.name} did not stop within ${graceMs / 1000}s: SIGKILL`);
          c.kill('SIGKILL');
        }
      }, graceMs);
      await Promise.all(exited);
      clearTimeout(timer);
      held.resume(); // drop whatever was never streamed
    },
    allExited: Promise.all(exited).then(() => undefined),
  };
}
