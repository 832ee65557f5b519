import { BadRequestException, Injectable } from '@nestjs/common';
import { sleep } from '@sdp/scheduling';
import { services } from '@sdp/topology';
import { Observer, type Snapshot } from '../observer/observer.service';
import { RunnerClient } from '../runner/runner-client';
import { NEEDS_RUNNER } from './infra-faults';
import type { Scenario, ScenarioContext, ScenarioParams, ScenarioResult } from './scenario';
import { percentile, StackClient } from './stack-client';

// Kill one replica of a service that has two or more (docs/load-balancer.md). While it is gone,
// GETs through the lb keep coming: nginx retries an idempotent request on the next replica
// (proxy_next_upstream) and stops sending to the dead one for fail_timeout. The runner starts the
// replica again at the end. Invariant: every GET answered 200, and the box went red and back.

const DOWN_FOR_MS = 5_000;
const WAIT_MS = 30_000;
const GET_INTERVAL_MS = 25;

const replicaStatus = (snapshot: Snapshot, service: string, replica: string) =>
  snapshot.nodes.find((n) => n.id === service)?.replicas?.find((r) => r.id === replica)?.status;

@Injectable()
export class KillReplicaScenario implements Scenario {
  readonly name = 'kill-replica';
  readonly title = 'Kill a replica';
  readonly description =
    'SIGKILL one replica of a service with two or more, keep GETs coming through the lb, start it again. Invariant: every GET answered, the box turns red and back.';

  constructor(
    private readonly runner: RunnerClient,
    private readonly observer: Observer,
    private readonly stack: StackClient,
  ) {}

  unavailable(): string | undefined {
    return this.runner.available ? undefined : NEEDS_RUNNER;
  }

  prepare(params: ScenarioParams): ScenarioParams {
    const service = params.service ?? 'catalog';
    const spec = services.find((s) => s.name === service);
    const choices = services.filter((s) => s.replicas >= 2 && s.name !== 'gateway').map((s) => s.name);
    if (!spec || spec.replicas < 2 || service === 'gateway')
      throw new BadRequestException(
        `service must be one with two or more replicas behind the lb: ${choices.join(', ')}`,
      );
    const replica = params.replica ?? `${service}-${spec.replicas}`;
    const n = Number(/^[a-z-]+-(\d+)$/.exec(replica)?.[1]);
    if (!replica.startsWith(`${service}-`) || !(n >= 1 && n <= spec.replicas))
      throw new BadRequestException(
        `replica must be ${service}-1 … ${service}-${spec.replicas} (got ${replica})`,
      );
    return { service, replica };
  }

  async run(params: ScenarioParams, { log }: ScenarioContext): Promise<ScenarioResult> {
    const service = params.service!;
    const replica = params.replica!;
    const release = this.observer.hold();
    const latencies: number[] = [];
    const failures: string[] = [];
    let stopLoad = false;
    // One GET after another through the lb, for the whole scenario.
    const load = (async () => {
      while (!stopLoad) {
        try {
          const response = await this.stack.call('GET', `/${service}/health`, { timeoutMs: 5_000 });
          latencies.push(response.ms);
          if (response.status !== 200) failures.push(String(response.status));
        } catch (error) {
          failures.push(String(error));
        }
        await sleep(GET_INTERVAL_MS);
      }
    })();
    let killed = false;
    // -1 until seen: the box never turned red (or never came back).
    const timing = { redAfterMs: -1, backAfterMs: -1 };
    try {
      await this.observer.waitFor((s) => replicaStatus(s, service, replica) === 'up', WAIT_MS);
      log(`${replica} is up; GETs through the lb to /${service}/health every ${GET_INTERVAL_MS} ms`);
      const killedAt = Date.now();
      await this.runner.kill(replica);
      killed = true;
      log(`${replica} killed (SIGKILL)`);
      await this.observer.waitFor((s) => replicaStatus(s, service, replica) === 'down', WAIT_MS);
      timing.redAfterMs = Date.now() - killedAt;
      log(`the diagram shows ${replica} down after ${timing.redAfterMs} ms`);
      await sleep(DOWN_FOR_MS);
    } finally {
      if (killed) {
        const startedAt = Date.now();
        await this.runner.start(replica);
        log(`${replica} starting again`);
        await this.observer
          .waitFor((s) => replicaStatus(s, service, replica) === 'up', 60_000)
          .then(() => {
            timing.backAfterMs = Date.now() - startedAt;
            log(`${replica} is back up after ${timing.backAfterMs} ms`);
          })
          .catch((error: unknown) => log(`${replica} did not come back: ${String(error)}`));
      }
      stopLoad = true;
      await load;
      release();
    }
    const { redAfterMs, backAfterMs } = timing;
    const held = failures.length === 0 && redAfterMs >= 0 && backAfterMs >= 0;
    return {
      held,
      invariant:
        `GETs ${latencies.length}, failed ${failures.length}` +
        `; ${replica} red after ${redAfterMs} ms, back after ${backAfterMs} ms`,
      figures: {
        service,
        replica,
        gets: latencies.length,
        failed: failures.length,
        getP50Ms: Math.round(percentile(latencies, 50)),
        getP99Ms: Math.round(percentile(latencies, 99)),
        redAfterMs,
        backAfterMs,
        ...(failures.length ? { firstFailures: failures.slice(0, 5).join(', ') } : {}),
      },
    };
  }
}
