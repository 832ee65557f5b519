import { BadRequestException, Injectable } from '@nestjs/common';
import type { Scenario, ScenarioContext, ScenarioParams, ScenarioResult } from './scenario';
import { Shop, type Buyer } from './shop';
import { percentile } from './stack-client';

// The flash sale (docs/distributed-locks.md): N buyers at once for S units of one product. Every
// checkout takes the SKU's Redlock lock and a Postgres fencing token; the invariant is that exactly
// min(N, S) checkouts are accepted, every accepted order settles, and no unit is sold twice.

export const FLASH_SALE_LIMITS = { buyers: 300, units: 300 } as const;

@Injectable()
export class FlashSaleScenario implements Scenario {
  readonly name = 'flash-sale';
  readonly title = 'Flash sale';
  readonly description =
    'N buyers check out one unit each of the same product, which has S units, all at once. Invariant: accepted = min(N, S), every accepted order settles, oversold 0.';

  constructor(private readonly shop: Shop) {}

  unavailable(): string | undefined {
    return undefined; // needs only the lb and the services: runs in every mode
  }

  prepare(params: ScenarioParams): ScenarioParams {
    const buyers = params.buyers ?? 40;
    const units = params.units ?? 10;
    for (const [name, value, max] of [
      ['buyers', buyers, FLASH_SALE_LIMITS.buyers],
      ['units', units, FLASH_SALE_LIMITS.units],
    ] as const)
      if (!Number.isInteger(value) || value < 1 || value > max)
        throw new BadRequestException(`${name} must be an integer from 1 to ${max} (got ${value})`);
    return { buyers, units };
  }

  async run(params: ScenarioParams, { runId, log }: ScenarioContext): Promise<ScenarioResult> {
    const buyers = params.buyers!;
    const units = params.units!;
    const product = await this.shop.firstProduct();
    const sku = product.sku;
    const before = await this.shop.stock(sku);
    const onHand = before.onHand - before.available + units;
    await this.shop.setOnHand(sku, onHand);
    log(
      `${product.name} (${sku}): ${units} units on sale (onHand ${before.onHand} → ${onHand}), ${buyers} buyers`,
    );
    try {
      const latencies: number[] = [];
      const answers = await Promise.all(
        Array.from({ length: buyers }, async (_, i) => {
          const buyer: Buyer = { userId: `flash-${runId.slice(0, 8)}-${i + 1}`, role: 'customer' };
          const response = await this.shop.checkout(buyer, sku);
          latencies.push(response.ms);
          return { buyer, response };
        }),
      );
      const orders = answers
        .filter((a) => a.response.status === 202)
        .map((a) => ({ buyer: a.buyer, orderId: a.response.body.orderId }));
      const outOfStock = answers.filter((a) => a.response.status === 409).length;
      const other = answers
        .filter((a) => ![202, 409].includes(a.response.status))
        .map((a) => a.response.status);
      log(
        `checkouts: ${orders.length} accepted (202), ${outOfStock} out of stock (409), ${other.length} other` +
          ` (p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms)`,
      );

      // Every accepted order goes on to CONFIRMED (paid) or CANCELLED (declined): wait for all.
      const statuses = await this.shop.settle(orders);
      const confirmed = statuses.filter((s) => s === 'CONFIRMED').length;
      const cancelled = statuses.filter((s) => s === 'CANCELLED').length;
      const after = await this.shop.stock(sku);
      const soldDuringSale = after.sold - before.sold;
      const oversold = Math.max(0, soldDuringSale - units) + Math.max(0, -after.available);
      log(
        `orders settled: ${confirmed} confirmed, ${cancelled} cancelled, ${statuses.length - confirmed - cancelled} still pending`,
      );
      log(`stock after: sold +${soldDuringSale}, available ${after.available}, oversold ${oversold}`);

      const expected = Math.min(buyers, units);
      const settled = confirmed + cancelled;
      const held =
        orders.length === expected && other.length === 0 && settled === orders.length && oversold === 0;
      return {
        held,
        invariant:
          `accepted ${orders.length} = min(buyers ${buyers}, units ${units}) = ${expected}` +
          `, settled ${settled}/${orders.length} (confirmed ${confirmed}, cancelled ${cancelled})` +
          `, oversold ${oversold}${other.length ? `, unexpected answers ${other.join(' ')}` : ''}`,
        figures: {
          sku,
          buyers,
          units,
          accepted: orders.length,
          outOfStock,
          otherAnswers: other.length,
          confirmed,
          cancelled,
          oversold,
          checkoutP50Ms: Math.round(percentile(latencies, 50)),
          checkoutP99Ms: Math.round(percentile(latencies, 99)),
        },
      };
    } finally {
      // Heal: put back the units the sale took, so the shop is as it was.
      await this.shop.restoreAvailable(sku, before.available).then(
        () => log(`stock restored: available back to ${before.available}`),
        (error: unknown) => log(`could not restore the stock of ${sku}: ${String(error)}`),
      );
    }
  }
}
