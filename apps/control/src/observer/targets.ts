import { lookup } from 'node:dns/promises';
import { Injectable } from '@nestjs/common';
import { services } from '@sdp/topology';
import { RunnerClient, type ReplicaState } from '../runner/runner-client';

// Where each replica of each service answers. With the runner channel (pnpm stack, test stacks)
// the runner says, ports included. Without it (compose), each service's name resolves to one
// address per replica (compose DNS) and every replica listens on the service's base port.

export interface Target {
  id: string;
  service: string;
  url: string;
  /** What the runner knows (a stopped replica is down without a scrape); undefined from DNS. */
  state?: ReplicaState;
}

@Injectable()
export class Targets {
  constructor(private readonly runner: RunnerClient) {}

  get mode(): 'runner' | 'dns' {
    return this.runner.available ? 'runner' : 'dns';
  }

  async list(): Promise<Target[]> {
    if (this.runner.available) return this.runner.replicas();
    const found = await Promise.all(
      services.map(async (spec) => {
        const addresses = await lookup(spec.name, { all: true, family: 4 }).catch(() => []);
        return addresses
          .map((a) => a.address)
          .sort()
          .map((address, i) => ({
            id: `${spec.name}-${i + 1}`,
            service: spec.name,
            url: `http://${address}:${spec.basePort}`,
          }));
      }),
    );
    return found.flat();
  }
}
