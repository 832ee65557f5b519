import { z } from 'zod';
import { sku } from './events';

// The synchronous contract between orders and inventory: `POST /reservations`.

export const MAX_LINE_QUANTITY = 100;
export const MAX_LINES = 50;

export const reservationRequest = z.object({
  orderId: z.uuid(),
  items: z
    .array(z.object({ sku, quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY) }))
    .min(1)
    .max(MAX_LINES),
});
export type ReservationRequest = z.infer<typeof reservationRequest>;

export type ReservationStatus = 'HELD' | 'COMMITTED' | 'RELEASED';

export interface ReservationResponse {
  orderId: string;
  status: ReservationStatus;
  expiresAt: string;
  items: { sku: string; quantity: number }[];
}

/** 409 body when a SKU has too little stock: names the SKU so the caller can tell the user. */
export interface OutOfStockBody {
  statusCode: 409;
  error: 'Conflict';
  message: string;
  sku: string;
  available: number;
  requestId: string;
}
