import type { OnApplicationShutdown } from '@nestjs/common';
import type { ReservationRequest } from '@sdp/contracts';
import type { InventoryConfig } from '../../config';
import { OutOfStockError, StockCounterUnavailableError, UnknownSkuError } from '../reservation.errors';
import type { ReservationsRepository, ReserveResult } from '../reservations.repository';
import type { HoldStrategy } from './hold-strategy';
import type { StockCounter } from './stock-counter';

/**
 * Redis decides first, Postgres confirms: the Lua script takes the units from the SKU counters (all
 * lines or none); only then is the hold written, with the conditional UPDATE as the backstop. A
 * refusal by Postgres or any failure after the take gives the units back. Losers of a flash sale
 * never reach Postgres. No lock anywhere: the script is atomic on its node.
 */
export class RedisCounterHoldStrategy implements HoldStrategy, OnApplicationShutdown {
  readonly name = 'redis-counter';
  readonly precheck = false;

  constructor(
    readonly counter: StockCounter,
    private readonly reservations: ReservationsRepository,
    private readonly config: InventoryConfig,
  ) {}

  async hold(
    request: ReservationRequest,
    items: ReservationRequest['items'],
    requestId?: string,
  ): Promise<ReserveResult> {
    await this.take(items);
    let result: ReserveResult | undefined;
    try {
      result = await this.reservations.reserve({
        orderId: request.orderId,
        items,
        guard: { kind: 'conditional' },
        ttlSeconds: this.config.RESERVATION_TTL_SECONDS,
        requestId,
      });
      return result;
    } finally {
      // A replay held nothing new, and a refusal or failure held nothing at all. If the node is
      // gone too, the counter reloads from Postgres once it expires: too few units for a while.
      if (!result || result.replayed) await this.counter.giveBack(items).catch(() => undefined);
    }
  }

  /** The new on-hand is committed: a counter node that does not answer only delays it by the TTL. */
  stockSet(sku: string): Promise<void> {
    return this.counter.forget(sku).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.counter.close();
  }

  /** Takes the units, loading a missing counter from Postgres once per SKU. */
  private async take(items: ReservationRequest['items']): Promise<void> {
    for (let loads = 0; ; loads++) {
      const taken = await this.counter.take(items).catch((error: unknown) => {
        throw new StockCounterUnavailableError(error);
      });
      if (taken.taken) return;
      if ('left' in taken) {
        const requested = items.find((i) => i.sku === taken.sku)!.quantity;
        throw new OutOfStockError(taken.sku, taken.left, requested);
      }
      if (loads > items.length + 1)
        throw new Error(`INVARIANT: stock counter ${taken.missing} keeps vanishing`);
      const stock = await this.reservations.stockOf([taken.missing]);
      const view = stock.get(taken.missing);
      if (!view) throw new UnknownSkuError([taken.missing]);
      await this.counter.load(taken.missing, view.available).catch((error: unknown) => {
        throw new StockCounterUnavailableError(error);
      });
    }
  }
}
