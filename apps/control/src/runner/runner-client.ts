import { Inject, Injectable } from '@nestjs/common';
import { CONTROL_CONFIG, type ControlConfig } from '../config';

// The client side of the native runner's control channel (infra/local/src/control-channel.ts):
// loopback HTTP with a bearer secret. It is the only way control can stop or start a process, and
// it can do nothing else: kill one replica, start it again, list where replicas run; stop and start
// one of the infra servers the fault scenarios need (the Redis nodes, Kafka).

export type ReplicaState = 'running' | 'stopped' | 'starting';

export interface RunnerReplica {
  id: string;
  service: string;
  url: string;
  state: ReplicaState;
}

export interface RunnerServer {
  name: string;
  port: number;
  state: 'running' | 'stopped' | 'starting';
}

export class RunnerError extends Error {}

/** A server's start answers once it is ready: Kafka's JVM takes a while on a busy machine. */
const SERVER_START_TIMEOUT_MS = 120_000;

@Injectable()
export class RunnerClient {
  constructor(@Inject(CONTROL_CONFIG) private readonly config: ControlConfig) {}

  /** Undefined when this stack has no runner channel (compose): then fault scenarios cannot run. */
  get available(): boolean {
    return Boolean(this.config.RUNNER_URL);
  }

  async replicas(): Promise<RunnerReplica[]> {
    const body = (await this.call('GET', '/replicas')) as { replicas: RunnerReplica[] };
    return body.replicas;
  }

  async kill(id: string): Promise<RunnerReplica> {
    return (await this.call('POST', `/replicas/${encodeURIComponent(id)}/kill`)) as RunnerReplica;
  }

  async start(id: string): Promise<RunnerReplica> {
    return (await this.call('POST', `/replicas/${encodeURIComponent(id)}/start`)) as RunnerReplica;
  }

  async servers(): Promise<RunnerServer[]> {
    const body = (await this.call('GET', '/servers')) as { servers: RunnerServer[] };
    return body.servers;
  }

  /** Stops an infra server (redis-cache, redis-lock-N, kafka); resolves once its process is gone. */
  async stopServer(name: string): Promise<RunnerServer> {
    const path = `/servers/${encodeURIComponent(name)}/stop`;
    return (await this.call('POST', path, 60_000)) as RunnerServer;
  }

  /** Starts it again; resolves once it is ready. */
  async startServer(name: string): Promise<RunnerServer> {
    const path = `/servers/${encodeURIComponent(name)}/start`;
    return (await this.call('POST', path, SERVER_START_TIMEOUT_MS)) as RunnerServer;
  }

  private async call(method: 'GET' | 'POST', path: string, timeoutMs = 5_000): Promise<unknown> {
    if (!this.config.RUNNER_URL) throw new RunnerError('no runner control channel (RUNNER_URL is not set)');
    let response: Response;
    try {
      response = await fetch(`${this.config.RUNNER_URL}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.config.RUNNER_SECRET}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new RunnerError(`runner control channel unreachable: ${String(error)}`);
    }
    const text = await response.text();
    if (!response.ok)
      throw new RunnerError(`runner answered ${response.status} to ${method} ${path}: ${text}`);
    return JSON.parse(text) as unknown;
  }
}
