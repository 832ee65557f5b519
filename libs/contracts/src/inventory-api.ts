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

export const reservationStatus = z.enum(['HELD', 'COMMITTED', 'RELEASED']);
export type ReservationStatus = z.infer<typeof reservationStatus>;

/** 200 (replayed) or 201 (new hold): the hold for the order, whatever its state now. */
export const reservationResponse = z.object({
  orderId: z.string(),
  status: reservationStatus,
  expiresAt: z.iso.datetime({ offset: true }),
  items: z.array(z.object({ sku: z.string(), quantity: z.int() })),
});
export type ReservationResponse = z.infer<typeof reservationResponse>;

/** 409 body when a SKU has too little stock: names the SKU so the caller can tell the user. */
export const outOfStockBody = z.object({
  statusCode: z.literal(409),
  error: z.literal('Conflict'),
  message: z.string(),
  sku: z.string(),
  available: z.int(),
  requestId: z.string(),
});
export type OutOfStockBody = z.infer<typeof outOfStockBody>;
