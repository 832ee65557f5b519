import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { replyWithError, type ErrorAnswer } from '@sdp/bootstrap';
import type { OutOfStockBody } from '@sdp/contracts';
import { LockBusyError, LockLostError, LockUnavailableError } from '@sdp/locks';
import { FencedOutError } from './fencing/fencing';
import {
  OutOfStockError,
  ReservationMismatchError,
  StockCounterUnavailableError,
  UnknownSkuError,
} from './reservations/reservation.errors';
import { BelowReservedError, StockNotFoundError } from './stock/stock.errors';

type InventoryError =
  | OutOfStockError
  | UnknownSkuError
  | ReservationMismatchError
  | LockUnavailableError
  | LockBusyError
  | LockLostError
  | FencedOutError
  | StockCounterUnavailableError
  | StockNotFoundError
  | BelowReservedError;

/**
 * Inventory's one place where domain errors become HTTP, in the one error body. Lock trouble is a
 * 503: retryable, and nothing was reserved (the transaction rolled back or never started).
 */
export function answerFor(error: InventoryError): ErrorAnswer {
  if (error instanceof OutOfStockError) {
    // The SKU and what is left, so orders can tell the user (OutOfStockBody).
    const extra: Pick<OutOfStockBody, 'sku' | 'available'> = { sku: error.sku, available: error.available };
    return { statusCode: 409, message: `out of stock: ${error.message}`, extra };
  }
  if (error instanceof UnknownSkuError || error instanceof ReservationMismatchError)
    return { statusCode: 422, message: error.message };
  if (error instanceof LockUnavailableError) {
    return {
      statusCode: 503,
      message: 'stock locks unavailable (no quorum of lock nodes); nothing was reserved, retry shortly',
    };
  }
  if (error instanceof LockBusyError)
    return { statusCode: 503, message: 'stock is busy (lock contention); nothing was reserved, retry' };
  if (error instanceof LockLostError || error instanceof FencedOutError)
    return { statusCode: 503, message: 'lock lost to a newer holder; nothing was reserved, retry' };
  if (error instanceof StockCounterUnavailableError)
    return { statusCode: 503, message: 'stock counter unavailable; nothing was reserved, retry shortly' };
  if (error instanceof StockNotFoundError) return { statusCode: 404, message: error.message };
  return { statusCode: 409, message: error.message }; // BelowReservedError
}

@Catch(
  OutOfStockError,
  UnknownSkuError,
  ReservationMismatchError,
  LockUnavailableError,
  LockBusyError,
  LockLostError,
  FencedOutError,
  StockCounterUnavailableError,
  StockNotFoundError,
  BelowReservedError,
)
export class InventoryErrorFilter implements ExceptionFilter<InventoryError> {
  catch(error: InventoryError, host: ArgumentsHost): void {
    replyWithError(host, answerFor(error), error);
  }
}
