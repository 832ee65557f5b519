import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ReservationRequest } from '@sdp/contracts';
import { LockBusyError, LockLostError, LockUnavailableError } from '@sdp/locks';
import { FencedOutError } from '../fencing/fencing';
import { InventoryMetrics, type ReservationOutcome } from '../inventory.metrics';
import { OutOfStockError, ReservationMismatchError } from './reservation.errors';
import { ReservationsRepository, type ReserveResult } from './reservations.repository';
import { refuseIfUnavailable } from './stock-precheck';
import { HOLD_STRATEGY, type HoldStrategy } from './strategies';

const sameItems = (a: { sku: string; quantity: number }[], b: { sku: string; quantity: number }[]) =>
  a.length === b.length && a.every((line, i) => line.sku === b[i].sku && line.quantity === b[i].quantity);

/**
 * Holds stock for orders, with the strategy RESERVATION_STRATEGY selects (./strategies). Refusals
 * are domain errors (reservation.errors.ts, @sdp/locks' lock errors, FencedOutError);
 * inventory-errors.filter.ts answers them over HTTP.
 */
@Injectable()
export class ReservationsService {
  private readonly logger = new Logger(ReservationsService.name);

  constructor(
    private readonly reservations: ReservationsRepository,
    private readonly metrics: InventoryMetrics,
    @Inject(HOLD_STRATEGY) private readonly strategy: HoldStrategy,
  ) {}

  /**
   * Holds the cart's stock for an order: idempotent on orderId; lines sorted by SKU (the order
   * locks and row locks are taken in); all lines in one transaction or none.
   */
  async reserve(request: ReservationRequest, requestId?: string): Promise<ReserveResult> {
    const items = [...request.items].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    const existing = await this.reservations.findReservation(request.orderId);
    if (existing) return this.replay(existing, items);
    try {
      if (this.strategy.precheck) await refuseIfUnavailable(this.reservations, items);
      const result = await this.strategy.hold(request, items, requestId);
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
