import type { ReservationRequest } from '@sdp/contracts';
import type { InventoryConfig } from '../../config';
import type { ReservationsRepository, ReserveResult } from '../reservations.repository';
import type { StockGuard } from '../stock-guards';
import type { HoldStrategy } from './hold-strategy';

/**
 * No distributed lock: one transaction in which Postgres serialises the writers of a row.
 * `conditional-update` lets the UPDATE's WHERE decide; `select-for-update` reads the row under a
 * row lock and decides in the application. Lines are sorted by SKU, so row locks are always taken
 * in the same order and two multi-SKU holds cannot deadlock.
 */
export class DatabaseHoldStrategy implements HoldStrategy {
  readonly precheck = true;
  private readonly guard: StockGuard;

  constructor(
    readonly name: 'conditional-update' | 'select-for-update',
    private readonly reservations: ReservationsRepository,
    private readonly config: InventoryConfig,
  ) {
    this.guard = name === 'conditional-update' ? { kind: 'conditional' } : { kind: 'row-lock' };
  }

  hold(
    request: ReservationRequest,
    items: ReservationRequest['items'],
    requestId?: string,
  ): Promise<ReserveResult> {
    return this.reservations.reserve({
      orderId: request.orderId,
      items,
      guard: this.guard,
      ttlSeconds: this.config.RESERVATION_TTL_SECONDS,
      requestId,
    });
  }
}
