import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { waitFor } from './wait-for';

/** A built service (`apps/<name>/dist/main.js`) running as a real process, for e2e tests. */
export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code once the process ends by itself. */
  exited(): Promise<number | null>;
  /** SIGTERM and wait for the exit; resolves with the exit code (null if killed by a signal). */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, no chance to clean up. */
  kill(): Promise<void>;
}

/**
 * With SDP_CPU_PROF_DIR set, every service process writes a V8 CPU profile there when it exits
 * (open the .cpuprofile in Chrome DevTools or speedscope): how docs/benchmarks.md's profiles are made.
 */
const profileFlags = (name: string): string[] => {
  const dir = process.env.SDP_CPU_PROF_DIR;
  return dir
    ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`]
    : [];
};

/** Starts `node <entry>` with exactly `env` (plus PATH) and returns at once. */
export function spawnService(
  name: string,
  entry: string,
  env: Record<string, string | undefined>,
): ServiceProcess {
  const child = spawn(process.execPath, [...profileFlags(name), entry], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  return {
    name,
    url: env.PORT ? `http://127.0.0.1:${env.PORT}` : '',
    child,
    output: () => output,
    exited: async () => (await exited)[0],
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Waits until the service answers /ready with 200; on timeout the error carries its last output. */
export async function waitUntilReady(service: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      if (service.child.exitCode !== null) {
        throw new Error(
          `${service.name} exited with ${service.child.exitCode}: ${service.output().slice(-1_500)}`,
        );
      }
      return (await fetch(`${service.url}/ready`)).status === 200;
    },
    { timeoutMs, what: `${service.name} /ready`, intervalMs: 100 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n--- ${service.name} output ---\n${service.output().slice(-2_000)}`);
  });
}
