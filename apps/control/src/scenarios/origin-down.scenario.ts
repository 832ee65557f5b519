import { Inject, Injectable } from '@nestjs/common';
import { sleep } from '@sdp/scheduling';
import { services } from '@sdp/topology';
import { CONTROL_CONFIG, type ControlConfig } from '../config';
import { Observer, type Snapshot } from '../observer/observer.service';
import { RunnerClient } from '../runner/runner-client';
import { NEEDS_RUNNER } from './infra-faults';
import type { Scenario, ScenarioContext, ScenarioParams, ScenarioResult } from './scenario';
import { StackClient } from './stack-client';

// Origin down behind the edge (docs/cdn.md): warm a few product pages in the edge's cache, kill
// every catalog replica, and keep reading those pages through the edge. Once their freshness runs
// out the edge serves its old copy (X-Cache-Status STALE) instead of the error from behind it.
// Invariant: every read of a warmed product answered 200, and each was served STALE at least once.

const WARMED = 3;
const WAIT_FOR_STALE_MS = 75_000;
const READ_EVERY_MS = 500;

const serviceStatus = (snapshot: Snapshot, service: string) =>
  snapshot.nodes.find((n) => n.id === service)?.status;

@Injectable()
export class OriginDownScenario implements Scenario {
  readonly name = 'origin-down';
  readonly title = 'Origin down behind the edge';
  readonly description =
    'Warms three product pages in the edge cache, kills every catalog replica and keeps reading them through the edge until each is served from the old copy. Invariant: every read answered 200, each product served STALE.';

  constructor(
    @Inject(CONTROL_CONFIG) private readonly config: ControlConfig,
    private readonly runner: RunnerClient,
    private readonly observer: Observer,
    private readonly stack: StackClient,
  ) {}

  unavailable(): string | undefined {
    return this.runner.available ? undefined : NEEDS_RUNNER;
  }

  prepare(): ScenarioParams {
    return {};
  }

  private async read(path: string): Promise<{ status: number; cache: string }> {
    try {
      const response = await fetch(`${this.config.EDGE_URL}${path}`, { signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      return { status: response.status, cache: response.headers.get('x-cache-status') ?? '-' };
    } catch (error) {
      return { status: 0, cache: String(error) };
    }
  }

  async run(_params: ScenarioParams, { log }: ScenarioContext): Promise<ScenarioResult> {
    const replicas = Array.from(
      { length: services.find((s) => s.name === 'catalog')!.replicas },
      (_, i) => `catalog-${i + 1}`,
    );
    const page = await this.stack.call<{ items: { id: number }[] }>(
      'GET',
      `/catalog/products?limit=${WARMED}&page=1`,
    );
    const paths = (page.status === 200 ? page.body.items : []).map((p) => `/api/products/${p.id}`);
    if (paths.length === 0) throw new Error(`no products to warm (catalog answered ${page.status})`);
    for (const path of paths) {
      await this.read(path);
      const again = await this.read(path);
      log(`warmed ${path}: ${again.status} ${again.cache}`);
    }
    const release = this.observer.hold();
    const reads = new Map(paths.map((p) => [p, { ok: 0, failed: 0, stale: 0, caches: new Set<string>() }]));
    const killed: string[] = [];
    const timing = { downAfterMs: -1 }; // -1: the diagram never showed catalog down
    const started = Date.now();
    try {
      for (const id of replicas) {
        await this.runner.kill(id);
        killed.push(id);
      }
      log(`killed ${killed.join(', ')}: the origin of the product pages is down`);
      await this.observer.waitFor((s) => serviceStatus(s, 'catalog') === 'down', 30_000);
      timing.downAfterMs = Date.now() - started;
      log(
        `the diagram shows catalog down after ${timing.downAfterMs} ms; reading through the edge every ${READ_EVERY_MS} ms`,
      );
      const deadline = Date.now() + WAIT_FOR_STALE_MS;
      while (Date.now() < deadline) {
        for (const path of paths) {
          const { status, cache } = await this.read(path);
          const tally = reads.get(path)!;
          if (status === 200) tally.ok++;
          else tally.failed++;
          if (cache === 'STALE' || cache === 'UPDATING') tally.stale++;
          tally.caches.add(`${status} ${cache}`);
        }
        if ([...reads.values()].every((t) => t.stale > 0)) break;
        await sleep(READ_EVERY_MS);
      }
      for (const [path, t] of reads)
        log(`${path}: ${t.ok} × 200, ${t.failed} failed, ${t.stale} stale (${[...t.caches].join(', ')})`);
    } finally {
      for (const id of killed)
        await this.runner.start(id).catch((error: unknown) => log(`could not start ${id}: ${String(error)}`));
      if (killed.length) log(`starting ${killed.join(', ')} again`);
      await this.observer
        .waitFor((s) => serviceStatus(s, 'catalog') === 'up', 90_000)
        .then(() => log('catalog is back up'))
        .catch((error: unknown) => log(`catalog did not come back: ${String(error)}`));
      release();
    }
    const { downAfterMs } = timing;
    const all = [...reads.values()];
    const ok = all.reduce((sum, t) => sum + t.ok, 0);
    const failed = all.reduce((sum, t) => sum + t.failed, 0);
    const staleProducts = all.filter((t) => t.stale > 0).length;
    return {
      held: failed === 0 && staleProducts === paths.length && downAfterMs >= 0,
      invariant: `reads ${ok + failed}, failed ${failed}; products served STALE ${staleProducts}/${paths.length} while catalog was down`,
      figures: { products: paths.length, reads: ok + failed, failed, staleProducts, downAfterMs },
    };
  }
}
