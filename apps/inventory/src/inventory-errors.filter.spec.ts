import { LockBusyError, LockLostError, LockUnavailableError } from '@sdp/locks';
import { FencedOutError } from './fencing/fencing';
import { answerFor } from './inventory-errors.filter';
import {
  OutOfStockError,
  ReservationMismatchError,
  UnknownSkuError,
} from './reservations/reservation.errors';
import { BelowReservedError, StockNotFoundError } from './stock/stock.errors';

describe(answerFor.name, () => {
  it('answers out of stock 409 with the SKU and what is left', () => {
    expect(answerFor(new OutOfStockError('SKU-1', 2, 5))).toEqual({
      statusCode: 409,
      message: 'out of stock: SKU-1: only 2 available, 5 requested',
      extra: { sku: 'SKU-1', available: 2 },
    });
  });

  it.each([
    [new UnknownSkuError(['SKU-1', 'SKU-2']), 422, 'unknown SKU: SKU-1, SKU-2'],
    [new ReservationMismatchError('o-1'), 422, 'order o-1 already has a reservation with different items'],
    [
      new LockUnavailableError('stock:SKU-1', 1, 2),
      503,
      'stock locks unavailable (no quorum of lock nodes); nothing was reserved, retry shortly',
    ],
    [
      new LockBusyError('stock:SKU-1', 3),
      503,
      'stock is busy (lock contention); nothing was reserved, retry',
    ],
    [new LockLostError('stock:SKU-1'), 503, 'lock lost to a newer holder; nothing was reserved, retry'],
    [new FencedOutError('SKU-1', '4', '7'), 503, 'lock lost to a newer holder; nothing was reserved, retry'],
    [new StockNotFoundError('SKU-1'), 404, 'no stock for SKU-1'],
    [new BelowReservedError(3, 4), 409, 'onHand 3 is below the 4 units held for orders'],
  ])('answers %s with %i', (error, statusCode, message) => {
    expect(answerFor(error)).toEqual({ statusCode, message });
  });
});
