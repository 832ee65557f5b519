// Entry point of `pnpm logs <service|replica> [--lines N] [--no-follow]`: the JSON logs that
// `pnpm stack` writes to .infra/logs/<replica>.log, pretty-printed, followed until Ctrl-C.
import { parseArgs } from 'node:util';
import { infraPaths } from '../paths';
import { repoRoot } from '../workspace';
import { followLogs } from './follow';
import { listLogs, logFilesOf } from './log-files';

export const logsUsage = `usage: pnpm logs <service|replica> [--lines N] [--no-follow]
  pnpm logs orders       every orders replica (orders-1, orders-2), pretty-printed, followed
  pnpm logs catalog-2    one replica
  --lines N              start with the last N lines of each file (default 50)
  --no-follow            print and exit
The files are .infra/logs/<replica>.log, one JSON line per entry (written by pnpm stack).`;

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      lines: { type: 'string', default: '50' },
      'no-follow': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(logsUsage);
    return 0;
  }
  const lines = Number(values.lines);
  if (positionals.length !== 1 || !Number.isInteger(lines) || lines < 0) {
    console.error(logsUsage);
    return 2;
  }
  const { logs } = infraPaths(repoRoot);
  const existing = listLogs(logs);
  const files = logFilesOf(positionals[0], logs, existing);
  if (files.length === 0) {
    const names = existing.filter((f) => /-\d+\.log$/.test(f)).map((f) => f.replace(/\.log$/, ''));
    console.error(
      `no log for "${positionals[0]}" in ${logs}` +
        (names.length ? `; there are: ${names.join(', ')}` : '; start the stack with `pnpm stack`'),
    );
    return 1;
  }
  const tail = followLogs(files, { lines, follow: !values['no-follow'] });
  tail.on('exit', (code) => process.exit(code ?? 0));
  process.on('SIGINT', () => tail.kill('SIGTERM'));
  return -1; // keep running until tail exits
}

const code = main();
if (code >= 0) process.exit(code);
