// Small child_process helpers: run a command, spawn a detached server, pid files, stop by pid.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import { waitFor } from './wait';

export interface RunAs {
  uid: number;
  gid: number;
}

/** Wraps a command so it runs as `runAs` (setpriv execs, so the pid stays the server's own). */
export function asUser(
  command: string,
  args: readonly string[],
  runAs: RunAs | undefined,
): [string, string[]] {
  if (!runAs) return [command, [...args]];
  return [
    'setpriv',
    [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', '--', command, ...args],
  ];
}

export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 16 << 20,
      },
      (error, stdout, stderr) => {
        if (error) {
          const detail = `${stderr}${stdout}`.trim().split('\n').slice(-15).join('\n');
          reject(
            new Error(`${[command, ...args].join(' ')} failed: ${error.message.split('\n')[0]}\n${detail}`),
          );
        } else resolve({ stdout, stderr });
      },
    );
  });
}

export interface Spawned {
  pid: number;
  /** Set once the process has exited (e.g. it crashed during start-up). */
  exitCode: () => number | null | undefined;
}

/** Starts a long-running server in its own process group, output appended to `logFile`, pid written to `pidFile`. */
export function spawnDetached(
  command: string,
  args: readonly string[],
  options: { logFile: string; pidFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Spawned {
  const log = fs.openSync(options.logFile, 'a');
  fs.writeSync(log, `\n--- ${new Date().toISOString()} starting: ${[command, ...args].join(' ')}\n`);
  const child = spawn(command, [...args], {
    detached: true,
    stdio: ['ignore', log, log],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  fs.closeSync(log);
  let exited: number | null | undefined;
  child.on('exit', (code, signal) => {
    exited = code ?? (signal ? -1 : null);
  });
  child.on('error', () => {
    exited = -1;
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  fs.writeFileSync(options.pidFile, `${child.pid}\n`);
  child.unref();
  return { pid: child.pid, exitCode: () => exited };
}

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends `signal`, waits up to `timeoutMs` for the process to exit, then SIGKILLs it. Returns how it ended. */
export async function stopPid(
  pid: number,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<'stopped' | 'killed'> {
  if (!isAlive(pid)) return 'stopped';
  process.kill(pid, signal);
  try {
    await waitFor(() => Promise.resolve(!isAlive(pid)), {
      timeoutMs,
      intervalMs: 100,
      what: `pid ${pid} to exit`,
    });
    return 'stopped';
  } catch {
    process.kill(pid, 'SIGKILL');
    await waitFor(() => Promise.resolve(!isAlive(pid)), {
      timeoutMs: 5_000,
      intervalMs: 100,
      what: `pid ${pid} to die`,
    });
    return 'killed';
  }
}

/** Last `lines` lines of a log file, for error messages. */
export function tailFile(file: string, lines = 25): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
