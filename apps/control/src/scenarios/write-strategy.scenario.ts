import { Injectable } from '@nestjs/common';
import { sleep } from '@sdp/scheduling';
import type { Scenario, ScenarioContext, ScenarioParams, ScenarioResult } from './scenario';
import { ADMIN, Shop } from './shop';
import { StackClient } from './stack-client';

// The three cache write strategies side by side (docs/cache-write-strategies.md): under each, change
// the first product's description and read it straight back through the lb. Invariant: the very
// next read returns the new value under every strategy, and the catalog's own X-Cache says what
// the strategy promises: MISS after write-around (the entry was deleted), HIT after write-through
// and write-back (the entry was set). The strategy and the description are put back at the end.

const EVENT_SETTLE_MS = 1_500;
const expectedNextRead = { 'write-around': 'MISS', 'write-through': 'HIT', 'write-back': 'HIT' } as const;
type Strategy = keyof typeof expectedNextRead;

@Injectable()
export class WriteStrategyScenario implements Scenario {
  readonly name = 'write-strategy';
  readonly title = 'Switch the cache write strategy';
  readonly description =
    'Under write-around, write-through and write-back in turn, changes a product and reads it straight back. Invariant: the new value every time; X-Cache MISS after write-around, HIT after the other two.';

  constructor(
    private readonly shop: Shop,
    private readonly stack: StackClient,
  ) {}

  unavailable(): string | undefined {
    return undefined;
  }

  prepare(): ScenarioParams {
    return {};
  }

  private async setStrategy(strategy: string): Promise<void> {
    const response = await this.stack.call('PUT', '/catalog/admin/cache/write-strategy', {
      as: ADMIN,
      body: { strategy },
    });
    if (response.status !== 200) throw new Error(`catalog refused strategy ${strategy}: ${response.status}`);
  }

  async run(_params: ScenarioParams, { runId, log }: ScenarioContext): Promise<ScenarioResult> {
    const current = await this.stack.call<{ strategy: string }>(
      'GET',
      '/catalog/admin/cache/write-strategy',
      {
        as: ADMIN,
      },
    );
    if (current.status !== 200) throw new Error(`catalog answered ${current.status} for its write strategy`);
    const product = await this.shop.firstProduct();
    const original = await this.stack.call<{ description: string }>('GET', `/catalog/products/${product.id}`);
    if (original.status !== 200)
      throw new Error(`catalog answered ${original.status} for product ${product.id}`);
    log(`strategy now ${current.body.strategy}; changing ${product.name} (#${product.id}) under each`);
    const outcomes: Record<string, string> = {};
    let good = 0;
    try {
      for (const strategy of Object.keys(expectedNextRead) as Strategy[]) {
        await this.setStrategy(strategy);
        const description = `${original.body.description} [architecture run ${runId.slice(0, 8)}: ${strategy}]`;
        const write = await this.stack.call('PUT', `/catalog/products/${product.id}`, {
          as: ADMIN,
          body: { description },
        });
        const read = await this.stack.call<{ description: string }>('GET', `/catalog/products/${product.id}`);
        const cache = read.headers?.get('x-cache') ?? '-';
        const fresh = read.status === 200 && read.body.description === description;
        const ok = write.status === 200 && fresh && cache === expectedNextRead[strategy];
        if (ok) good++;
        outcomes[strategy] = `${fresh ? 'new value' : 'OLD value'}, ${cache}`;
        log(
          `${strategy}: write ${write.status} in ${write.ms.toFixed(0)} ms; next read ${read.status} ${cache} with the ${fresh ? 'new' : 'OLD'} value (expected ${expectedNextRead[strategy]})`,
        );
        // Each write's product.updated reloads the cached entry a moment later, from Postgres plus
        // pending write-back changes. Let it land before the next strategy's write, so every
        // strategy is observed on its own: a reload racing a write-back write can put the older
        // value back until the flusher's own event repairs it (docs/cache-write-strategies.md).
        await sleep(EVENT_SETTLE_MS);
      }
    } finally {
      await this.setStrategy(current.body.strategy)
        .then(() =>
          this.stack.call('PUT', `/catalog/products/${product.id}`, {
            as: ADMIN,
            body: { description: original.body.description },
          }),
        )
        .then(
          () => log(`strategy back to ${current.body.strategy}, description restored`),
          (error: unknown) => log(`could not restore the strategy or the description: ${String(error)}`),
        );
    }
    const strategies = Object.keys(expectedNextRead).length;
    return {
      held: good === strategies,
      invariant: `${Object.entries(outcomes)
        .map(([s, o]) => `${s}: ${o}`)
        .join('; ')} (${good}/${strategies} as promised)`,
      figures: { product: product.id, ...outcomes, asPromised: good },
    };
  }
}
