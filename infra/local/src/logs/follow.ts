// Follows log files like `tail -F` (coreutils: survives a replica restart truncating its file) and
// pretty-prints them. With several files, tail's "==> file <==" headers say which replica speaks.
import { spawn, type ChildProcess } from 'node:child_process';
import { prettyStream } from './pretty';

export function followLogs(
  files: readonly string[],
  options: { lines: number; follow: boolean },
): ChildProcess {
  const args = ['-n', String(options.lines), ...(options.follow ? ['-F'] : []), ...files];
  const tail = spawn('tail', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  tail.stdout.pipe(prettyStream(Boolean(process.stdout.isTTY))).pipe(process.stdout);
  return tail;
}
