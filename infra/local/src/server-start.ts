// Starting one server: the pre-flight (binaries, the account to run as) and start-then-wait-ready.
// Shared by `up` (lifecycle.ts) and the control channel's server control (server-control.ts); kept
// apart from lifecycle.ts because that one loads listr2, which is ESM-only (Jest loads this as CJS).
import { binarySpecs, resolveBinaries, setprivSpec } from './binaries';
import type { InfraPaths } from './paths';
import type { Server, ServerContext } from './servers';
import { serverState } from './status';
import { unprivilegedUser } from './user';
import { waitFor } from './wait';

/** The binaries a start needs, found on PATH, and the account to run as (root runs Postgres as another). */
export function preflight() {
  const runAs = unprivilegedUser();
  const specs = runAs ? [...binarySpecs, setprivSpec] : binarySpecs;
  return { runAs, ...resolveBinaries(specs, process.env.PATH ?? '') };
}

/** What starting one server needs outside `up` (the control channel restarting a stopped one). */
export function serverContext(paths: InfraPaths, repoRoot: string): ServerContext {
  const { runAs, found } = preflight();
  return { paths, repoRoot, bins: found, runAs, report: () => undefined };
}

/** Starts one server unless it runs, then waits until it is ready (and its set-up has run). */
export async function startOne(server: Server, ctx: ServerContext): Promise<string> {
  const state = await serverState(server, ctx.paths);
  let exited: () => number | null | undefined = () => undefined;
  if (state.running) {
    ctx.report(`already running (pid ${state.pid}), checking`);
  } else {
    if (state.portOpen)
      throw new Error(`port ${server.port} is already in use by a process the runner did not start`);
    const spawned = await server.start(ctx);
    exited = spawned.exitCode;
    ctx.report(`waiting for ${server.name} on :${server.port} (pid ${spawned.pid})`);
  }
  await waitFor(() => server.isReady(ctx), {
    timeoutMs: server.startTimeoutMs,
    intervalMs: 250,
    what: `${server.name} on port ${server.port}`,
    abort: () => {
      const code = exited();
      return code === undefined ? undefined : `process exited with code ${code}`;
    },
  });
  await server.afterReady?.(ctx);
  return state.running ? 'already running' : 'ready';
}
