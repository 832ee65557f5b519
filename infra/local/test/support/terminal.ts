// Runs a command line the way a person types it into a terminal: through a pseudo-terminal
// (util-linux `script`), so Ctrl-C is a real ^C that the terminal turns into SIGINT for the
// foreground process group, exactly as when a user presses it.
import { spawn, type ChildProcess } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';

export interface Terminal {
  /** Everything printed so far, colours stripped. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects on timeout or exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Types Ctrl-C. */
  ctrlC(): void;
  /** Resolves with the exit code of the command line. */
  exited: Promise<number>;
  child: ChildProcess;
}

export function openTerminal(
  commandLine: string,
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Terminal {
  // -q quiet, -f flush each write, -e return the command's exit code, -c the command; no typescript file.
  const child = spawn('script', ['-qfec', commandLine, '/dev/null'], {
    cwd: options.cwd,
    env: { ...options.env, TERM: 'dumb', COLUMNS: '200' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += stripVTControlCharacters(chunk.toString()).replace(/\r/g, '');
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve(code ?? (signal ? 128 : 1));
      for (const listener of listeners) listener();
    }),
  );

  return {
    child,
    exited,
    output: () => text,
    ctrlC: () => child.stdin.write('\x03'),
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (match) done(() => resolve(match));
          else if (child.exitCode !== null || child.signalCode !== null)
            done(() =>
              reject(new Error(`"${commandLine}" exited before printing ${pattern}:\n${text.slice(-3000)}`)),
            );
        };
        const timer = setTimeout(
          () =>
            done(() => reject(new Error(`no ${pattern} within ${timeoutMs / 1000}s:\n${text.slice(-3000)}`))),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
  };
}
