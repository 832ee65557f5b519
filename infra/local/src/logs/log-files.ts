// Where `pnpm stack` writes each replica's JSON log, and which files a name (service or replica) means.
import fs from 'node:fs';
import path from 'node:path';

export const replicaLogFile = (logsDir: string, replicaId: string): string =>
  path.join(logsDir, `${replicaId}.log`);

/** `catalog` → every catalog-<n>.log; `catalog-2` → that one file. Sorted; empty if none exist. */
export function logFilesOf(name: string, logsDir: string, existing: readonly string[]): string[] {
  const mine = (file: string) =>
    file === `${name}.log` || (file.startsWith(`${name}-`) && /^\d+\.log$/.test(file.slice(name.length + 1)));
  return existing
    .filter(mine)
    .sort()
    .map((file) => path.join(logsDir, file));
}

export const listLogs = (logsDir: string): string[] =>
  fs.existsSync(logsDir) ? fs.readdirSync(logsDir) : [];
