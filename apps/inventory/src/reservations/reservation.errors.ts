// Why a reservation was refused, in the domain's words. Lock trouble comes as @sdp/locks' own
// errors (LockBusyError, LockUnavailableError, LockLostError) and a lost lock caught by the fence as
// FencedOutError (../fencing/fencing.ts). inventory-errors.filter.ts answers each over HTTP.

/** Not enough available stock for one SKU (answered 409 with OutOfStockBody). */
export class OutOfStockError extends Error {
  constructor(
    readonly sku: string,
    readonly available: number,
    readonly requested: number,
  ) {
    super(`${sku}: only ${available} available, ${requested} requested`);
    this.name = 'OutOfStockError';
  }
}

/** The request names SKUs inventory has no stock row for (answered 422). */
export class UnknownSkuError extends Error {
  constructor(readonly skus: string[]) {
    super(`unknown SKU: ${skus.join(', ')}`);
    this.name = 'UnknownSkuError';
  }
}

/** The order already holds a reservation, for other lines than these (answered 422). */
export class ReservationMismatchError extends Error {
  constructor(readonly orderId: string) {
    super(`order ${orderId} already has a reservation with different items`);
    this.name = 'ReservationMismatchError';
  }
}

/** redis-counter only: the node counting available units did not answer (answered 503; nothing held). */
export class StockCounterUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`stock counter unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StockCounterUnavailableError';
  }
}
