import { Injectable } from '@nestjs/common';
import { sleep } from '@sdp/scheduling';
import { RunnerClient } from '../runner/runner-client';
import { NEEDS_RUNNER, withStoppedServers } from './infra-faults';
import type { Scenario, ScenarioContext, ScenarioParams, ScenarioResult } from './scenario';
import { StackClient } from './stack-client';

// Redis cache down (docs/cache-aside.md): the cache is an optimisation, never a dependency of a
// read. With the cache node stopped, catalog's cache-aside reads fail fast (no offline queue, a
// 500 ms command timeout) and load from Postgres (X-Cache: BYPASS). Then the node starts again,
// empty (it keeps nothing on disk), and reads fill it again. Invariant: every read answered 200,
// 0 5xx, and the reads while the node was down were served from Postgres.

const PRODUCTS = 5;
const DOWN_FOR_MS = 8_000;
const READ_EVERY_MS = 100;

type Phase = 'before' | 'down' | 'after';

@Injectable()
export class CacheDownScenario implements Scenario {
  readonly name = 'cache-down';
  readonly title = 'Stop the Redis cache';
  readonly description =
    'Reads products through the lb while the Redis cache node is stopped, then started again. Invariant: every read answered 200 (0 5xx), served from Postgres (X-Cache BYPASS) while the cache was down.';

  constructor(
    private readonly runner: RunnerClient,
    private readonly stack: StackClient,
  ) {}

  unavailable(): string | undefined {
    return this.runner.available ? undefined : NEEDS_RUNNER;
  }

  prepare(): ScenarioParams {
    return {};
  }

  async run(_params: ScenarioParams, { log }: ScenarioContext): Promise<ScenarioResult> {
    const page = await this.stack.call<{ items: { id: number }[] }>(
      'GET',
      `/catalog/products?limit=${PRODUCTS}&page=1`,
    );
    const ids = page.status === 200 ? page.body.items.map((p) => p.id) : [];
    if (ids.length === 0) throw new Error(`no products to read (catalog answered ${page.status})`);
    // Per phase: answers by status and by X-Cache.
    const tally: Record<
      Phase,
      { reads: number; statuses: Map<string, number>; caches: Map<string, number> }
    > = {
      before: { reads: 0, statuses: new Map(), caches: new Map() },
      down: { reads: 0, statuses: new Map(), caches: new Map() },
      after: { reads: 0, statuses: new Map(), caches: new Map() },
    };
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    let phase = 'before' as Phase;
    let reading = true;
    const reads = (async () => {
      for (let i = 0; reading; i++) {
        const startedIn = phase;
        const response = await this.stack
          .call('GET', `/catalog/products/${ids[i % ids.length]}`, { timeoutMs: 5_000 })
          .catch(() => undefined);
        // A read counts as "down" only if it began and ended with the node stopped: one still in
        // flight when the node started again could have been answered by it.
        const t = tally[startedIn === 'down' && phase !== 'down' ? 'after' : startedIn];
        t.reads++;
        bump(t.statuses, String(response?.status ?? 'no answer'));
        bump(t.caches, response?.headers?.get('x-cache') ?? '-');
        await sleep(READ_EVERY_MS);
      }
    })();
    const show = (p: Phase) =>
      `${tally[p].reads} reads, status ${[...tally[p].statuses].map(([k, n]) => `${k}×${n}`).join(' ')}, X-Cache ${[...tally[p].caches].map(([k, n]) => `${k}×${n}`).join(' ')}`;
    try {
      await sleep(1_000);
      await withStoppedServers(this.runner, log, async (stop) => {
        await stop('redis-cache');
        phase = 'down';
        await sleep(DOWN_FOR_MS);
        log(`while the cache was down: ${show('down')}`);
        // Leave the down phase before the node starts again: a read that began while it was
        // restarting could be answered from it and must not count as "while the cache was down".
        phase = 'after';
      });
      await sleep(3_000);
    } finally {
      reading = false;
      await reads;
    }
    log(`before the stop had completed: ${show('before')}`);
    log(`after it was back: ${show('after')}`);
    const all = Object.values(tally);
    const total = all.reduce((sum, t) => sum + t.reads, 0);
    const count = (pick: (status: string) => boolean) =>
      all.reduce(
        (sum, t) => sum + [...t.statuses].filter(([s]) => pick(s)).reduce((n, [, c]) => n + c, 0),
        0,
      );
    const serverErrors = count((s) => s.startsWith('5'));
    const notOk = count((s) => s !== '200');
    const fromPostgres = tally.down.caches.get('BYPASS') ?? 0;
    const hitsAfter = tally.after.caches.get('HIT') ?? 0;
    return {
      held: notOk === 0 && tally.down.reads > 0 && fromPostgres === tally.down.reads,
      invariant:
        `reads ${total}, 5xx ${serverErrors}, other failures ${notOk - serverErrors}` +
        `; while the cache was down ${fromPostgres}/${tally.down.reads} served from Postgres (BYPASS)` +
        `; after: ${hitsAfter} HIT`,
      figures: {
        products: ids.length,
        reads: total,
        serverErrors,
        failed: notOk,
        readsWhileDown: tally.down.reads,
        fromPostgres,
        hitsAfter,
      },
    };
  }
}
