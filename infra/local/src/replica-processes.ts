// Runs the replicas as child processes, each in its own process group (a terminal's Ctrl-C reaches
// only the runner, which decides how replicas stop), each writing its JSON log to
// .infra/logs/<replica>.log instead of the console. Readiness is shown as a listr2 task per replica.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { replicaLogFile } from './logs/log-files';
import { describeExit, type Replica } from './replicas';
import { tailFile } from './process';
import { waitFor } from './wait';
import type { ControlledReplica } from './control-channel';

export interface ReplicaProcesses {
  /** Resolves when every replica's /ready answers 200; rejects naming those that did not. */
  waitReady(timeoutMs: number): Promise<void>;
  /** SIGTERM to every running replica, SIGKILL to those still running after `graceMs`. */
  stop(graceMs: number): Promise<void>;
  /** Resolves once every replica has exited (crashed or stopped) and none was started again. */
  allExited: Promise<void>;
  /** Each replica's state, for the control channel. */
  list(): ControlledReplica[];
  /** SIGKILL one replica's process group; resolves once it has exited. */
  kill(id: string): Promise<void>;
  /** Starts a replica that is not running again (its log is appended to). */
  start(id: string): Promise<void>;
}

export function startReplicas(
  replicas: readonly Replica[],
  options: {
    cwd: string;
    logsDir: string;
    onCrash: (replica: Replica, how: string) => void;
    /** A replica stopped or started on purpose (the control channel), for the console. */
    onControl?: (replica: Replica, what: string) => void;
  },
): ReplicaProcesses {
  fs.mkdirSync(options.logsDir, { recursive: true });
  let stopping = false;
  const exits: (string | undefined)[] = replicas.map(() => undefined);
  const children = new Map<ChildProcess, string>(); // child → replica id
  const current: (ChildProcess | undefined)[] = replicas.map(() => undefined);
  const killedOnPurpose = new Set<number>();
  let live = 0;
  let resolveAllExited: () => void = () => undefined;
  const allExited = new Promise<void>((resolve) => (resolveAllExited = resolve));

  // One process of replica i; the first run truncates its log, a restart appends to it.
  const spawnReplica = (i: number, append: boolean): Promise<void> =>
    new Promise<void>((resolve) => {
      const r = replicas[i];
      const log = fs.openSync(replicaLogFile(options.logsDir, r.id), append ? 'a' : 'w');
      const child = spawn(process.execPath, [r.entry], {
        cwd: options.cwd,
        env: { ...process.env, ...r.env },
        stdio: ['ignore', log, log],
        detached: true,
      });
      fs.closeSync(log);
      children.set(child, r.id);
      current[i] = child;
      exits[i] = undefined;
      live++;
      let done = false;
      const ended = (how: string) => {
        if (done) return;
        done = true;
        exits[i] = how;
        if (!stopping && !killedOnPurpose.delete(i)) options.onCrash(r, how);
        if (--live === 0) resolveAllExited();
        resolve();
      };
      child.once('error', (err) => ended(`failed to start: ${err.message}`));
      child.once('exit', (code, signal) => ended(describeExit(code ?? signal ?? 'unknown')));
    });
  const exited = replicas.map((_, i) => spawnReplica(i, false));
  const exitOf = new Map<ChildProcess, Promise<void>>();
  replicas.forEach((_, i) => exitOf.set(current[i]!, exited[i]));

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
      // Loaded here: listr2 is ESM-only, and only this needs it (Jest loads the rest as CommonJS).
      const { Listr } = await import('listr2');
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
      await Promise.all([...exitOf.values()]);
      clearTimeout(timer);
    },
    allExited,
    list() {
      return replicas.map((r, i) => {
        const child = current[i];
        const running = Boolean(child && child.exitCode === null && child.signalCode === null && !exits[i]);
        return { id: r.id, service: r.service, url: r.url, state: running ? 'running' : 'stopped' };
      });
    },
    async kill(id) {
      const i = replicas.findIndex((r) => r.id === id);
      const child = current[i];
      if (i < 0 || !child || exits[i]) throw new Error(`${id} is not running`);
      killedOnPurpose.add(i);
      signalGroup(child, 'SIGKILL');
      await exitOf.get(child);
      options.onControl?.(replicas[i], 'killed (SIGKILL) through the control channel');
    },
    start(id) {
      const i = replicas.findIndex((r) => r.id === id);
      if (i < 0) return Promise.reject(new Error(`no replica ${id}`));
      if (stopping) return Promise.reject(new Error('the stack is stopping'));
      if (!exits[i]) return Promise.reject(new Error(`${id} is running`));
      const done = spawnReplica(i, true);
      exitOf.set(current[i]!, done);
      options.onControl?.(replicas[i], 'started again through the control channel');
      return Promise.resolve();
    },
  };
}
