// Runs the replicas as child processes, each in its own process group (a terminal's Ctrl-C reaches
// only the runner, which decides how replicas stop), each writing its JSON log to
// .infra/logs/<replica>.log instead of the console. Readiness is shown as a listr2 task per replica.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Listr } from 'listr2';
import { replicaLogFile } from './logs/log-files';
import { describeExit, type Replica } from './replicas';
import { tailFile } from './process';
import { waitFor } from './wait';

export interface ReplicaProcesses {
  /** Resolves when every replica's /ready answers 200; rejects naming those that did not. */
  waitReady(timeoutMs: number): Promise<void>;
  /** SIGTERM to every running replica, SIGKILL to those still running after `graceMs`. */
  stop(graceMs: number): Promise<void>;
  /** Resolves once every replica has exited (crashed or stopped). */
  allExited: Promise<void>;
}

export function startReplicas(
  replicas: readonly Replica[],
  options: { cwd: string; logsDir: string; onCrash: (replica: Replica, how: string) => void },
): ReplicaProcesses {
  fs.mkdirSync(options.logsDir, { recursive: true });
  let stopping = false;
  const exits: (string | undefined)[] = replicas.map(() => undefined);
  const children = new Map<ChildProcess, string>(); // child → replica id
  const exited = replicas.map(
    (r, i) =>
      new Promise<void>((resolve) => {
        const log = fs.openSync(replicaLogFile(options.logsDir, r.id), 'w'); // one run per file
        const child = spawn(process.execPath, [r.entry], {
          cwd: options.cwd,
          env: { ...process.env, ...r.env },
          stdio: ['ignore', log, log],
          detached: true,
        });
        fs.closeSync(log);
        children.set(child, r.id);
        child.once('error', (err) => {
          exits[i] = `failed to start: ${err.message}`;
          resolve();
        });
        child.once('exit', (code, signal) => {
          exits[i] = describeExit(code ?? signal ?? 'unknown');
          if (!stopping) options.onCrash(r, exits[i]);
          resolve();
        });
      }),
  );

  const isReady = async (url: string): Promise<boolean> => {
    const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) });
    return res.status === 200;
  };
  const running = () => [...children.keys()].filter((c) => c.exitCode === null && c.signalCode === null);
  const signalGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal); // the whole group: the replica and anything it spawned
    } catch {
      // already gone
    }
  };

  return {
    async waitReady(timeoutMs) {
      const started = Date.now();
      const failed: string[] = [];
      const tasks = new Listr(
        replicas.map((r, i) => ({
          title: `${r.id} :${r.port}`,
          task: async (_: unknown, task: { title: string }) => {
            const log = replicaLogFile(options.logsDir, r.id);
            try {
              await waitFor(() => isReady(r.url), {
                timeoutMs,
                intervalMs: 250,
                what: `${r.id} at ${r.url}/ready`,
                abort: () => (exits[i] ? `the process ended (${exits[i]})` : undefined),
              });
            } catch (err) {
              failed.push(r.id);
              throw new Error(`${(err as Error).message}\n--- last lines of ${log} ---\n${tailFile(log)}`, {
                cause: err,
              });
            }
            task.title = `${r.id} :${r.port} ready in ${((Date.now() - started) / 1000).toFixed(1)}s`;
          },
        })),
        { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } },
      );
      await tasks.run();
      if (failed.length > 0) throw new Error(`not ready: ${failed.join(', ')} (see above)`);
    },
    async stop(graceMs) {
      stopping = true;
      for (const c of running()) signalGroup(c, 'SIGTERM');
      const timer = setTimeout(() => {
        for (const c of running()) {
          console.error(`${children.get(c)} did not stop within ${graceMs / 1000}s: SIGKILL`);
          signalGroup(c, 'SIGKILL');
        }
      }, graceMs);
      await Promise.all(exited);
      clearTimeout(timer);
    },
    allExited: Promise.all(exited).then(() => undefined),
  };
}
