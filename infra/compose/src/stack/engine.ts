// The container engine for the compose tier: podman (runc, a private containers.conf) serving the
// Docker API on a private socket, Debian's docker-compose (v1) talking to it, and what podman does
// not do by itself: running healthchecks (the pump) so `depends_on: condition: service_healthy`
// progresses. Also reads each container's peak memory from its cgroup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { composeFile, repoRoot } from '../compose-file';
import { run, type RunResult } from './exec';
import { sleep } from '@sdp/scheduling';

export const containersConf = path.join(repoRoot, 'infra/compose/standins/containers.conf');

/** The environment every podman call gets: the project's containers.conf instead of /etc's. */
export const podmanEnv = (): NodeJS.ProcessEnv => ({ ...process.env, CONTAINERS_CONF: containersConf });

export const podman = (args: string[], opts: { allowFailure?: boolean; timeoutMs?: number } = {}) =>
  run('podman', args, { env: podmanEnv(), ...opts });

/** `podman system service` on a private socket: the Docker API docker-compose talks to. */
export async function startApiService(): Promise<{ socket: string; stop: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-podman-'));
  const socket = path.join(dir, 'podman.sock');
  const child: ChildProcess = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    env: podmanEnv(),
    stdio: 'ignore',
    detached: true, // its own process group: a terminal's Ctrl-C must not stop it before `down -v`
  });
  for (let i = 0; i < 100 && !fs.existsSync(socket); i++) await sleep(100);
  if (!fs.existsSync(socket)) throw new Error('podman system service did not create its socket in 10 s');
  return {
    socket,
    stop: () => {
      child.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * docker-compose v1 (Debian's 1.29) runs the project's file with two things it needs and v2 does not:
 * --compatibility (deploy.replicas and deploy.resources.limits become scale and mem_limit), and the
 * file without its top-level `name:` (v1 rejects that key; the same name is passed as -p).
 */
export class Compose {
  readonly project: string;
  private readonly v1File: string;

  constructor(
    private readonly socket: string,
    private readonly envFile: string,
    private readonly env: Record<string, string>,
  ) {
    const text = fs.readFileSync(composeFile, 'utf8');
    const name = /^name: (\S+)$/m.exec(text);
    if (!name) throw new Error(`${composeFile} has no top-level name`);
    this.project = name[1];
    this.v1File = path.join(path.dirname(envFile), 'docker-compose.v1.yml');
    fs.writeFileSync(this.v1File, text.replace(name[0] + '\n', ''));
  }

  run(
    args: string[],
    opts: { inherit?: boolean; allowFailure?: boolean; timeoutMs?: number } = {},
  ): Promise<RunResult> {
    const base = [
      '--env-file',
      this.envFile,
      '--compatibility',
      '-p',
      this.project,
      '--project-directory',
      repoRoot,
    ];
    return run('docker-compose', [...base, '-f', this.v1File, ...args], {
      env: { ...podmanEnv(), ...this.env, DOCKER_HOST: `unix://${this.socket}`, COMPOSE_HTTP_TIMEOUT: '600' },
      cwd: repoRoot,
      ...opts,
    });
  }
}

export interface ContainerInfo {
  id: string;
  name: string;
  service: string;
  state: string;
  exitCode: number;
  health?: string;
  /** ms; undefined when the container has no healthcheck. */
  interval?: number;
  startedAt: number;
  memoryLimit: number;
  cgroup: string;
}

interface Inspect {
  Id: string;
  Name: string;
  State: {
    Status: string;
    ExitCode: number;
    StartedAt: string;
    Health?: { Status: string };
    CgroupPath?: string;
  };
  Config: { Labels?: Record<string, string>; Healthcheck?: { Interval?: number; Test?: string[] } };
  HostConfig: { Memory: number };
}

/** The containers that broke an `up`: unhealthy, or exited non-zero (a one-shot job that failed). */
export const failedContainers = (all: ContainerInfo[]): string[] =>
  all
    .filter((c) => c.health === 'unhealthy' || (c.state === 'exited' && c.exitCode !== 0))
    .map((c) => `${c.name} ${c.health === 'unhealthy' ? 'unhealthy' : `exited ${c.exitCode}`}`);

/** Every container of the project (running or not), inspected. */
export async function containers(project: string): Promise<ContainerInfo[]> {
  const ids = (await podman(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])).stdout
    .split('\n')
    .filter(Boolean);
  if (!ids.length) return [];
  const r = await podman(['inspect', '--format', 'json', ...ids], { allowFailure: true });
  if (r.code !== 0) return []; // one vanished between ps and inspect: the caller polls again
  return (JSON.parse(r.stdout) as Inspect[]).map((c) => {
    const hc = c.Config.Healthcheck;
    const hasCheck = !!hc?.Test?.length && hc.Test[0] !== 'NONE';
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ''),
      service: c.Config.Labels?.['com.docker.compose.service'] ?? '?',
      state: c.State.Status,
      exitCode: c.State.ExitCode,
      health: hasCheck ? (c.State.Health?.Status ?? 'starting') : undefined,
      // podman stores durations in nanoseconds; docker's default interval is 30 s.
      interval: hasCheck ? (hc.Interval ? hc.Interval / 1e6 : 30_000) : undefined,
      startedAt: Date.parse(c.State.StartedAt),
      memoryLimit: c.HostConfig.Memory,
      cgroup: c.State.CgroupPath ?? '',
    };
  });
}

/**
 * Runs each running container's healthcheck every `interval`, as dockerd would (podman starts no
 * timers without systemd). One probe in flight per container, at its own interval rather than every
 * second: each `podman healthcheck run` is an exec into the container, which costs real CPU.
 */
export class HealthPump {
  private readonly lastRun = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  private stopped = false;
  private loop?: Promise<void>;

  constructor(private readonly project: string) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          await this.tick();
        } catch {
          // A container that vanishes mid-tick (compose recreating it) is seen next tick.
        }
        await sleep(1000);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    for (const c of await containers(this.project)) {
      if (c.state !== 'running' || c.interval === undefined || this.inFlight.has(c.id)) continue;
      const last = this.lastRun.get(c.id) ?? c.startedAt;
      if (now - last < c.interval) continue;
      this.lastRun.set(c.id, now);
      this.inFlight.add(c.id);
      void podman(['healthcheck', 'run', c.id], { allowFailure: true, timeoutMs: 60_000 }).finally(() =>
        this.inFlight.delete(c.id),
      );
    }
  }
}

/** Peak memory of a container so far (cgroup v1 max_usage_in_bytes, or v2 memory.peak), in bytes. */
export function peakMemory(c: ContainerInfo): number | undefined {
  // A container that is not running has no cgroup of its own any more: its path is empty or '/', and
  // reading there would report the whole machine's peak (10 GB for a finished migrate job).
  if (c.state !== 'running' || c.cgroup === '' || c.cgroup === '/') return undefined;
  for (const file of [
    path.join('/sys/fs/cgroup/memory', c.cgroup, 'memory.max_usage_in_bytes'),
    path.join('/sys/fs/cgroup', c.cgroup, 'memory.peak'),
  ]) {
    try {
      return Number(fs.readFileSync(file, 'utf8').trim());
    } catch {
      // not this cgroup layout
    }
  }
  return undefined;
}
