import type { ReservationRequest } from '@sdp/contracts';
import { OutOfStockError, UnknownSkuError } from './reservation.errors';
import type { ReservationsRepository } from './reservations.repository';

/**
 * Fast refusal without taking any lock or transaction: one SELECT. Only a hint (stock can change
 * right after): the guarded write decides.
 */
export async function refuseIfUnavailable(
  reservations: ReservationsRepository,
  items: ReservationRequest['items'],
): Promise<void> {
  const known = await reservations.stockOf(items.map((i) => i.sku));
  const unknown = items.filter((i) => !known.has(i.sku)).map((i) => i.sku);
  if (unknown.length > 0) throw new UnknownSkuError(unknown);
  for (const { sku, quantity } of items) {
    const available = known.get(sku)!.available;
    if (available < quantity) throw new OutOfStockError(sku, available, quantity);
  }
}
