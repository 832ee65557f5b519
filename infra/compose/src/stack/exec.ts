// Runs the tools the compose tier drives (podman, docker-compose, debootstrap, mvn) as child processes.
import { spawn, type SpawnOptions } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Show the tool's output as it runs (long builds) instead of capturing it. */
  inherit?: boolean;
  /** Resolve with the exit code instead of rejecting when the tool fails. */
  allowFailure?: boolean;
  timeoutMs?: number;
  /** Piped to the tool's stdin. */
  input?: NodeJS.ReadableStream;
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const spawnOpts: SpawnOptions = {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: [
      opts.input ? 'pipe' : 'ignore',
      opts.inherit ? 'inherit' : 'pipe',
      opts.inherit ? 'inherit' : 'pipe',
    ],
    timeout: opts.timeoutMs,
    killSignal: 'SIGKILL',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, spawnOpts);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (opts.input && child.stdin) opts.input.pipe(child.stdin);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (result.code !== 0 && !opts.allowFailure) {
        const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
        reject(new Error(`${cmd} ${args.join(' ')} exited ${signal ?? code}\n${tail}`));
      } else resolve(result);
    });
  });
}

/** The path of a command on PATH, or undefined. */
export async function which(cmd: string): Promise<string | undefined> {
  const r = await run('sh', ['-c', `command -v ${cmd}`], { allowFailure: true });
  return r.code === 0 ? r.stdout.trim() : undefined;
}
