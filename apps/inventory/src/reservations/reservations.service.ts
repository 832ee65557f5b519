import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ReservationRequest } from '@sdp/contracts';
import { LocalQueue, LockBusyError, LockLostError, LockService, LockUnavailableError } from '@sdp/locks';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config';
import { FencedOutError } from '../fencing/fencing';
import { InventoryMetrics, type ReservationOutcome } from '../inventory.metrics';
import { OutOfStockError, ReservationMismatchError, UnknownSkuError } from './reservation.errors';
import { ReservationsRepository, type ReserveResult } from './reservations.repository';

/** The lock resource for one SKU's stock row. */
export const stockLock = (sku: string): string => `stock:${sku}`;

const sameItems = (a: { sku: string; quantity: number }[], b: { sku: string; quantity: number }[]) =>
  a.length === b.length && a.every((line, i) => line.sku === b[i].sku && line.quantity === b[i].quantity);

/**
 * Holds stock for orders. Refusals are domain errors (reservation.errors.ts, @sdp/locks' lock
 * errors, FencedOutError); inventory-errors.filter.ts answers them over HTTP.
 */
@Injectable()
export class ReservationsService {
  private readonly logger = new Logger(ReservationsService.name);
  private readonly queue = new LocalQueue();

  constructor(
    private readonly reservations: ReservationsRepository,
    private readonly locks: LockService,
    private readonly metrics: InventoryMetrics,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
  ) {}

  /**
   * Holds the cart's stock for an order: idempotent on orderId; one lock per distinct SKU, taken
   * in sorted order; a fencing token per lock; all lines in one transaction or none.
   */
  async reserve(request: ReservationRequest, requestId?: string): Promise<ReserveResult> {
    const items = [...request.items].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    const existing = await this.reservations.findReservation(request.orderId);
    if (existing) return this.replay(existing, items);

    await this.refuseIfUnavailable(items);
    // Requests of this replica for the same SKUs queue in memory; only the head of the queue
    // contends for the distributed lock. At its turn it re-checks the stock first: in a flash sale,
    // once the last unit is held, everyone still queued hears "out of stock" without touching Redis.
    return this.queue.run(
      items.map((i) => stockLock(i.sku)),
      async () => {
        await this.refuseIfUnavailable(items);
        return this.reserveUntilDeadline(request, items, requestId);
      },
    );
  }

  /** Another replica may hold a SKU: retry in rounds until LOCK_WAIT_MS, re-checking stock between rounds. */
  private async reserveUntilDeadline(
    request: ReservationRequest,
    items: ReservationRequest['items'],
    requestId?: string,
  ): Promise<ReserveResult> {
    const deadline = Date.now() + this.config.LOCK_WAIT_MS;
    for (;;) {
      try {
        return await this.reserveUnderLocks(request, items, requestId);
      } catch (error) {
        if (!(error instanceof LockBusyError) || Date.now() > deadline) throw error;
        await this.refuseIfUnavailable(items);
      }
    }
  }

  /**
   * Fast refusal without taking any lock. Only a hint (stock can change right after): the fenced
   * conditional UPDATE under the lock decides.
   */
  private async refuseIfUnavailable(items: ReservationRequest['items']): Promise<void> {
    const known = await this.reservations.stockOf(items.map((i) => i.sku));
    const unknown = items.filter((i) => !known.has(i.sku)).map((i) => i.sku);
    if (unknown.length > 0) throw new UnknownSkuError(unknown);
    for (const { sku, quantity } of items) {
      const available = known.get(sku)!.available;
      if (available < quantity) this.fail('out_of_stock', new OutOfStockError(sku, available, quantity));
    }
  }

  private async reserveUnderLocks(
    request: ReservationRequest,
    items: ReservationRequest['items'],
    requestId?: string,
  ): Promise<ReserveResult> {
    try {
      const result = await this.locks.withLocks(
        items.map((i) => stockLock(i.sku)),
        this.config.LOCK_TTL_MS,
        async (signal) => {
          // Tokens are issued after every lock is held, so a later holder always has larger ones.
          const tokens = await this.reservations.nextFences(items.length);
          signal.throwIfAborted();
          return this.reservations.reserve({
            orderId: request.orderId,
            items,
            tokens: new Map(items.map((item, i) => [item.sku, tokens[i]])),
            ttlSeconds: this.config.RESERVATION_TTL_SECONDS,
            requestId,
            signal,
          });
        },
      );
      if (result.replayed) return this.replay(result.reservation, items);
      this.metrics.reservations.inc({ outcome: 'held' });
      return result;
    } catch (error) {
      return this.fail(this.outcomeOf(error), error);
    }
  }

  private replay(existing: ReserveResult['reservation'], items: ReservationRequest['items']): ReserveResult {
    if (!sameItems(existing.items, items)) throw new ReservationMismatchError(existing.orderId);
    this.metrics.reservations.inc({ outcome: 'replayed' });
    return { replayed: true, reservation: existing };
  }

  private outcomeOf(error: unknown): ReservationOutcome | undefined {
    if (error instanceof OutOfStockError) return 'out_of_stock';
    if (error instanceof FencedOutError) return 'fenced';
    if (error instanceof LockUnavailableError) return 'lock_unavailable';
    if (error instanceof LockBusyError) return 'lock_busy';
    if (error instanceof LockLostError) return 'lock_lost';
    return undefined;
  }

  /** Counts the outcome and rethrows; lock trouble is answered 503 (retryable; nothing was written). */
  private fail(outcome: ReservationOutcome | undefined, error: unknown): never {
    if (outcome) this.metrics.reservations.inc({ outcome });
    if (outcome === 'fenced' || outcome === 'lock_lost')
      this.logger.warn(`reservation refused, lock lost: ${(error as Error).message}`);
    throw error;
  }
}
