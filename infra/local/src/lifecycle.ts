// up / down / status over the list of servers.
import fs from 'node:fs';
import { Listr } from 'listr2';
import { missingBinariesMessage } from './binaries';
import { renderEnvFile } from './env-file';
import { logFile, pidFile, type InfraPaths } from './paths';
import { isAlive, readPid, stopPid, tailFile } from './process';
import { preflight, startOne } from './server-start';
import type { Server, ServerContext } from './servers';
import { formatStatus, serverState } from './status';

export async function up(servers: readonly Server[], paths: InfraPaths, repoRoot: string): Promise<boolean> {
  const { runAs, found, missing } = preflight();
  if (missing.length > 0) throw new Error(missingBinariesMessage(missing));
  for (const dir of [paths.root, paths.logs, paths.run]) fs.mkdirSync(dir, { recursive: true });

  const started = Date.now();
  const failures: string[] = [];
  const tasks = new Listr(
    servers.map((server) => ({
      title: `${server.name} :${server.port}`,
      task: async (_: unknown, task: { output: string; title: string }) => {
        const ctx: ServerContext = {
          paths,
          repoRoot,
          bins: found,
          runAs,
          report: (line) => (task.output = line),
        };
        try {
          const result = await startOne(server, ctx);
          task.title = `${server.name} :${server.port} ${result}`;
        } catch (err) {
          failures.push(server.name);
          const log = logFile(paths, server.name);
          throw new Error(`${(err as Error).message}\n--- last lines of ${log} ---\n${tailFile(log)}`, {
            cause: err,
          });
        }
      },
    })),
    { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } },
  );
  await tasks.run();
  fs.writeFileSync(paths.envFile, renderEnvFile());
  const failed = failures.length > 0;
  console.log(
    failed
      ? `\nfailed: ${failures.join(', ')}; see the messages above and .infra/logs/`
      : `\nall ${servers.length} servers ready in ${((Date.now() - started) / 1000).toFixed(1)}s; env written to ${paths.envFile}`,
  );
  return !failed;
}

export async function down(servers: readonly Server[], paths: InfraPaths, wipe: boolean): Promise<void> {
  // All in parallel: the servers do not depend on each other.
  await Promise.all(
    servers.map(async (server) => {
      const file = pidFile(paths, server.name);
      const pid = readPid(file);
      if (pid !== undefined && isAlive(pid)) {
        const how = await stopPid(pid, server.stopSignal, 30_000);
        console.log(`${server.name}: ${how} (pid ${pid})`);
      } else {
        console.log(`${server.name}: not running`);
      }
      fs.rmSync(file, { force: true });
    }),
  );
  if (wipe) {
    // Everything except the downloaded jar cache.
    for (const entry of fs.existsSync(paths.root) ? fs.readdirSync(paths.root) : []) {
      if (entry !== 'cache') fs.rmSync(`${paths.root}/${entry}`, { recursive: true, force: true });
    }
    console.log(`wiped ${paths.root} (kept cache/)`);
  }
}

export async function status(servers: readonly Server[], paths: InfraPaths): Promise<boolean> {
  const states = await Promise.all(servers.map((s) => serverState(s, paths)));
  console.log(formatStatus(states));
  return states.every((s) => s.running && s.portOpen);
}
