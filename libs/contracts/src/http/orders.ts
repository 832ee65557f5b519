import { z } from 'zod';
import { orderLine } from '../events';
import { MAX_LINES } from '../inventory-api';
import { cartLine } from './cart';
import { pageOf } from './errors';

// Checkout and the caller's orders (/api/checkout, /api/orders), answered by orders.

export const orderStatus = z.enum(['PENDING_PAYMENT', 'CONFIRMED', 'CANCELLED']);
export type OrderStatus = z.infer<typeof orderStatus>;

export const order = z
  .object({
    id: z.uuid(),
    status: orderStatus,
    items: z.array(orderLine.meta({ id: 'OrderLine' })),
    totalCents: z.int().nonnegative(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'Order' });
export type Order = z.infer<typeof order>;

export const orderPage = pageOf(order).meta({ id: 'OrderPage' });
export type OrderPage = z.infer<typeof orderPage>;

export const ordersQuery = z.object({ page: z.int().min(1).optional(), limit: z.int().min(1).optional() });

/** POST /api/checkout: without `items`, the caller's cart is checked out. */
export const checkoutRequest = z.object({ items: z.array(cartLine).min(1).max(MAX_LINES).optional() });
export type CheckoutRequest = z.infer<typeof checkoutRequest>;

export const checkoutAccepted = z.object({ orderId: z.uuid(), status: z.literal('PENDING_PAYMENT') });
export type CheckoutAccepted = z.infer<typeof checkoutAccepted>;
