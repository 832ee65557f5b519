// What `infra status` shows: per server, its pid file, whether that pid lives, whether its port answers.
import { pidFile, type InfraPaths } from './paths';
import { isAlive, readPid } from './process';
import type { Server } from './servers/server';
import { isPortOpen } from './wait';

export interface ServerState {
  name: string;
  port: number;
  pid: number | undefined;
  running: boolean;
  portOpen: boolean;
}

export async function serverState(server: Server, paths: InfraPaths): Promise<ServerState> {
  const pid = readPid(pidFile(paths, server.name));
  return {
    name: server.name,
    port: server.port,
    pid,
    running: pid !== undefined && isAlive(pid),
    portOpen: await isPortOpen(server.port),
  };
}

export function formatStatus(states: readonly ServerState[]): string {
  const rows = states.map((s) => [
    s.name,
    String(s.port),
    s.running ? String(s.pid) : '-',
    s.running && s.portOpen
      ? 'up'
      : s.running
        ? 'starting?'
        : s.portOpen
          ? 'port taken by another process'
          : 'down',
  ]);
  const all = [['SERVER', 'PORT', 'PID', 'STATE'], ...rows];
  const widths = all[0].map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
