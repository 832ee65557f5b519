// The infra servers the runner's control channel may stop and start, for the architecture page's
// fault scenarios: the Redis cache node, the three Redis lock nodes and Kafka. Postgres and
// ZooKeeper are not offered (no scenario needs them, and every service's data is in Postgres).
// Stopping and starting reuse the runner's own lifecycle (pid files, the server specs, `startOne`),
// so a server started here is the same process `pnpm infra:up` would start and `infra:down` stops.
import fs from 'node:fs';
import { redisNodes } from '@sdp/topology';
import type { ControlledServer, ServerControl } from './control-channel';
import { serverContext, startOne } from './server-start';
import { pidFile, type InfraPaths } from './paths';
import { readPid, stopPid } from './process';
import { allServers, type Server } from './servers';
import { serverState } from './status';

/** The servers a scenario may stop: every Redis node and Kafka. */
export const controllableServerNames: readonly string[] = [...redisNodes.map((n) => n.name), 'kafka'];

export function infraServerControl(
  paths: InfraPaths,
  repoRoot: string,
  servers: readonly Server[] = allServers(),
): ServerControl {
  const offered = servers.filter((s) => controllableServerNames.includes(s.name));
  const find = (name: string) => {
    const server = offered.find((s) => s.name === name);
    if (!server) throw new Error(`no server ${name}`);
    return server;
  };
  return {
    async list(): Promise<ControlledServer[]> {
      return Promise.all(
        offered.map(async (server) => {
          const state = await serverState(server, paths);
          return {
            name: server.name,
            port: server.port,
            state: state.running ? (state.portOpen ? 'running' : 'starting') : 'stopped',
          } as const;
        }),
      );
    },
    async stop(name) {
      const server = find(name);
      const file = pidFile(paths, server.name);
      const pid = readPid(file);
      if (pid !== undefined) await stopPid(pid, server.stopSignal, 30_000);
      fs.rmSync(file, { force: true });
    },
    async start(name) {
      await startOne(find(name), serverContext(paths, repoRoot));
    },
  };
}
