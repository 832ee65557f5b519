import { BadRequestException, Injectable } from '@nestjs/common';
import type { Scenario, ScenarioContext, ScenarioParams, ScenarioResult } from './scenario';
import { ADMIN, Shop, type Buyer } from './shop';
import { StackClient } from './stack-client';

// Payment failures (docs/saga.md): the PSP simulator declines 30 % of charges. Every declined
// order must end CANCELLED with its hold released; every paid one CONFIRMED with its unit sold. The
// stock is the referee: units sold = orders confirmed, and the rest are back on the shelf.

interface PspSettings {
  latencyMs: number;
  failureRate: number;
  timeoutRate: number;
}

export const FAILURE_RATE = 0.3;

@Injectable()
export class PaymentFailuresScenario implements Scenario {
  readonly name = 'payment-failures';
  readonly title = 'Payment failure rate 30 %';
  readonly description =
    'The payment simulator declines 30 % of charges while N buyers check out. Invariant: every order settles; units sold = orders confirmed; every declined order’s hold is released.';

  constructor(
    private readonly shop: Shop,
    private readonly stack: StackClient,
  ) {}

  unavailable(): string | undefined {
    return undefined;
  }

  prepare(params: ScenarioParams): ScenarioParams {
    const buyers = params.buyers ?? 20;
    if (!Number.isInteger(buyers) || buyers < 1 || buyers > 100)
      throw new BadRequestException(`buyers must be an integer from 1 to 100 (got ${buyers})`);
    return { buyers };
  }

  async run(params: ScenarioParams, { runId, log }: ScenarioContext): Promise<ScenarioResult> {
    const buyers = params.buyers!;
    const psp = await this.stack.call<PspSettings>('GET', '/payments/admin/psp', { as: ADMIN });
    if (psp.status !== 200) throw new Error(`payments answered ${psp.status} for its settings`);
    const product = await this.shop.firstProduct();
    const sku = product.sku;
    const before = await this.shop.stock(sku);
    await this.shop.setOnHand(sku, before.onHand + buyers); // one unit for every buyer
    const set = await this.stack.call('PUT', '/payments/admin/psp', {
      as: ADMIN,
      body: { failureRate: FAILURE_RATE },
    });
    if (set.status !== 200) throw new Error(`payments refused the failure rate: ${set.status}`);
    log(
      `payment simulator: failure rate ${psp.body.failureRate} → ${FAILURE_RATE}; ${buyers} buyers for ${product.name} (${sku})`,
    );
    try {
      const answers = await Promise.all(
        Array.from({ length: buyers }, async (_, i) => {
          const buyer: Buyer = { userId: `pay-${runId.slice(0, 8)}-${i + 1}`, role: 'customer' };
          return { buyer, response: await this.shop.checkout(buyer, sku) };
        }),
      );
      const orders = answers
        .filter((a) => a.response.status === 202)
        .map((a) => ({ buyer: a.buyer, orderId: a.response.body.orderId }));
      log(`checkouts: ${orders.length} of ${buyers} accepted`);
      const statuses = await this.shop.settle(orders);
      const confirmed = statuses.filter((s) => s === 'CONFIRMED').length;
      const cancelled = statuses.filter((s) => s === 'CANCELLED').length;
      const after = await this.shop.stock(sku);
      const sold = after.sold - before.sold;
      // Every unit added is either sold (confirmed) or back on the shelf (released when cancelled).
      const backOnShelf = after.available - before.available;
      log(
        `orders: ${confirmed} confirmed, ${cancelled} cancelled (${((100 * cancelled) / Math.max(1, orders.length)).toFixed(0)} %)`,
      );
      log(
        `stock: sold +${sold}, available ${before.available} → ${after.available}, reserved ${before.reserved} → ${after.reserved}`,
      );
      const held =
        orders.length === buyers &&
        confirmed + cancelled === orders.length &&
        sold === confirmed &&
        backOnShelf === buyers - confirmed;
      return {
        held,
        invariant:
          `settled ${confirmed + cancelled}/${orders.length} (confirmed ${confirmed}, cancelled ${cancelled})` +
          `, sold ${sold} = confirmed ${confirmed}, released ${backOnShelf} = cancelled ${buyers - confirmed}`,
        figures: {
          sku,
          buyers,
          accepted: orders.length,
          confirmed,
          cancelled,
          cancelledPercent: Math.round((100 * cancelled) / Math.max(1, orders.length)),
          sold,
          released: backOnShelf,
        },
      };
    } finally {
      await this.stack
        .call('PUT', '/payments/admin/psp', { as: ADMIN, body: { failureRate: psp.body.failureRate } })
        .then(
          () => log(`payment simulator: failure rate back to ${psp.body.failureRate}`),
          (error: unknown) => log(`could not restore the failure rate: ${String(error)}`),
        );
      await this.shop.restoreAvailable(sku, before.available).then(
        () => log(`stock restored: available back to ${before.available}`),
        (error: unknown) => log(`could not restore the stock of ${sku}: ${String(error)}`),
      );
    }
  }
}
