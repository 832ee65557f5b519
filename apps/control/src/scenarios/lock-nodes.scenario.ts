import { Injectable } from '@nestjs/common';
import { sleep } from '@sdp/scheduling';
import { redisNodes } from '@sdp/topology';
import { Observer } from '../observer/observer.service';
import { RunnerClient } from '../runner/runner-client';
import { NEEDS_RUNNER, withStoppedServers } from './infra-faults';
import type { Scenario, ScenarioContext, ScenarioParams, ScenarioResult } from './scenario';
import { Shop, type Buyer } from './shop';

// Lock nodes down (docs/distributed-locks.md): Redlock needs a majority of its independent nodes,
// 2 of 3. With one node stopped every checkout still takes its SKU lock; with two stopped no lock
// can be had, and a checkout is refused with a 503 that names the problem before anything is
// written (inventory refuses before its transaction, orders writes the order only after the hold).
// Then the nodes start again and checkouts work again. Invariant: accepted with one down, 503 with
// two down and no order row and no hold, accepted again after; every accepted order settles.

const CHECKOUTS = 4;
/** After a restart the services' clients reconnect with a capped backoff (2 s, libs/redis). */
const RECONNECT_WINDOW_MS = 15_000;

const SEEN_DOWN_MS = 5_000;

const lockNodes = redisNodes.filter((n) => n.role === 'lock').map((n) => n.name);

@Injectable()
export class LockNodesScenario implements Scenario {
  readonly name = 'lock-nodes-down';
  readonly title = 'Stop one lock node, then two';
  readonly description =
    'Checkouts while one of the three Redlock nodes is stopped, then two, then none. Invariant: accepted with one down (quorum 2 of 3); 503 naming the lock quorum with two down, no order written and no stock held; accepted again once the nodes are back.';

  constructor(
    private readonly runner: RunnerClient,
    private readonly observer: Observer,
    private readonly shop: Shop,
  ) {}

  /** Until the diagram shows the node down (so the page sees it red), at most a few seconds. */
  private async seenDown(node: string): Promise<void> {
    await this.observer
      .waitFor((s) => s.nodes.find((n) => n.id === node)?.status === 'down', SEEN_DOWN_MS)
      .catch(() => undefined);
  }

  unavailable(): string | undefined {
    return this.runner.available ? undefined : NEEDS_RUNNER;
  }

  prepare(): ScenarioParams {
    return {};
  }

  async run(_params: ScenarioParams, { runId, log }: ScenarioContext): Promise<ScenarioResult> {
    const product = await this.shop.firstProduct();
    const sku = product.sku;
    const before = await this.shop.stock(sku);
    await this.shop.setOnHand(sku, before.onHand + 2 * CHECKOUTS); // a unit for every checkout that may pass
    let buyerNo = 0;
    const buyer = (): Buyer => ({ userId: `locks-${runId.slice(0, 8)}-${++buyerNo}`, role: 'customer' });
    const accepted: { buyer: Buyer; orderId: string }[] = [];
    const checkouts = async (what: string) => {
      const answers = [];
      for (let i = 0; i < CHECKOUTS; i++) {
        const who = buyer();
        const response = await this.shop.checkout(who, sku);
        if (response.status === 202) accepted.push({ buyer: who, orderId: response.body.orderId });
        answers.push({ who, response });
      }
      log(`${what}: ${answers.map((a) => a.response.status).join(' ')}`);
      return answers;
    };
    const [survivor, second, third] = lockNodes; // stop the last, then the second
    const figures = {
      oneDownAccepted: 0,
      twoDownRefused: 0,
      ordersWritten: -1,
      heldDelta: -1,
      healedAccepted: 0,
    };
    let refusal = '';
    const release = this.observer.hold();
    try {
      await withStoppedServers(this.runner, log, async (stop) => {
        await stop(third);
        await this.seenDown(third);
        const one = await checkouts(`with ${third} stopped (quorum 2 of 3 left)`);
        figures.oneDownAccepted = one.filter((a) => a.response.status === 202).length;
        // Settle these before the second node goes: their commit or release must not meet a lost quorum.
        await this.shop.settle(accepted);
        await stop(second);
        await this.seenDown(second);
        const held = await this.shop.stock(sku);
        const two = await checkouts(`with ${third} and ${second} stopped (only ${survivor} left)`);
        const refused = two.filter(
          (a) => a.response.status === 503 && /lock/i.test(a.response.body.message ?? ''),
        );
        figures.twoDownRefused = refused.length;
        refusal = two.find((a) => a.response.status !== 202)?.response.body.message ?? '';
        log(`the refusal: ${refusal || '(none)'}`);
        const after = await this.shop.stock(sku);
        figures.heldDelta = after.reserved - held.reserved;
        figures.ordersWritten = (await Promise.all(two.map((a) => this.shop.orderCount(a.who)))).reduce(
          (sum, n) => sum + n,
          0,
        );
        log(`written during the refusals: ${figures.ordersWritten} orders, ${figures.heldDelta} units held`);
      });
      // Healed: both nodes are ready. Each checkout is retried with its key until the services'
      // clients have reconnected (a 503 stores nothing, so the same key may be sent again).
      const answers = [];
      for (let i = 0; i < CHECKOUTS; i++) {
        const who = buyer();
        const key = `${runId}-healed-${i}`;
        const deadline = Date.now() + RECONNECT_WINDOW_MS;
        let response = await this.shop.checkout(who, sku, key);
        while (response.status === 503 && Date.now() < deadline) {
          await sleep(500);
          response = await this.shop.checkout(who, sku, key);
        }
        if (response.status === 202) accepted.push({ buyer: who, orderId: response.body.orderId });
        answers.push(response.status);
      }
      figures.healedAccepted = answers.filter((s) => s === 202).length;
      log(`with every lock node back: ${answers.join(' ')}`);
      const statuses = await this.shop.settle(accepted);
      const settled = statuses.filter((s) => s === 'CONFIRMED' || s === 'CANCELLED').length;
      const held =
        figures.oneDownAccepted === CHECKOUTS &&
        figures.twoDownRefused === CHECKOUTS &&
        figures.ordersWritten === 0 &&
        figures.heldDelta === 0 &&
        figures.healedAccepted === CHECKOUTS &&
        settled === accepted.length;
      return {
        held,
        invariant:
          `one node down: accepted ${figures.oneDownAccepted}/${CHECKOUTS}` +
          `; two down: 503 ${figures.twoDownRefused}/${CHECKOUTS}, orders written ${figures.ordersWritten}, units held ${figures.heldDelta}` +
          `; nodes back: accepted ${figures.healedAccepted}/${CHECKOUTS}` +
          `; settled ${settled}/${accepted.length}`,
        figures: { sku, checkoutsPerPhase: CHECKOUTS, ...figures, settled, refusal },
      };
    } finally {
      release();
      await this.shop.restoreAvailable(sku, before.available).then(
        () => log(`stock restored: available back to ${before.available}`),
        (error: unknown) => log(`could not restore the stock of ${sku}: ${String(error)}`),
      );
    }
  }
}
