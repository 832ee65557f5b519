import { defineEvent } from '@sdp/messaging';
import { z } from 'zod';

// Every event the services exchange. The event type is also its topic name, and the envelope key
// is the aggregate id (order id, SKU, product id) so one aggregate's events stay in order on one
// partition.

export const sku = z.string().regex(/^[A-Z0-9-]{3,32}$/, 'must be a SKU such as "SKU-000001"');
export const userId = z.string().regex(/^[\w-]{1,64}$/, 'must be a user id');
const orderId = z.uuid();
const cents = z.number().int().nonnegative();

export const orderLine = z.object({
  sku,
  quantity: z.number().int().positive(),
  priceCents: cents,
});
export type OrderLine = z.infer<typeof orderLine>;

export const ProductUpdated = defineEvent(
  'product.updated',
  z.object({
    id: z.number().int().positive(),
    sku,
    name: z.string(),
    description: z.string(),
    priceCents: z.number().int().positive(),
    changed: z.array(z.enum(['name', 'description', 'priceCents'])),
    updatedAt: z.iso.datetime({ offset: true }),
  }),
);

/** orders → payments: an order is waiting for payment. Key: order id. */
export const OrderPlaced = defineEvent(
  'order.placed',
  z.object({ orderId, userId, items: z.array(orderLine).min(1), totalCents: cents }),
);

/** payments → orders. Key: order id. */
export const PaymentSucceeded = defineEvent(
  'payment.succeeded',
  z.object({ orderId, paymentId: z.uuid(), amountCents: cents }),
);

/** payments → orders. Key: order id. */
export const PaymentFailed = defineEvent(
  'payment.failed',
  z.object({ orderId, paymentId: z.uuid(), reason: z.string() }),
);

/** orders → inventory (commit the hold), notifications, catalog (best-sellers). Key: order id. */
export const OrderConfirmed = defineEvent(
  'order.confirmed',
  z.object({ orderId, userId, items: z.array(orderLine).min(1), totalCents: cents }),
);

/** orders → inventory (release the hold), payments (refund if paid), notifications, catalog. Key: order id. */
export const OrderCancelled = defineEvent(
  'order.cancelled',
  z.object({
    orderId,
    userId,
    items: z.array(orderLine).min(1),
    reason: z.string(),
    /**
     * Set only when a CONFIRMED order is cancelled (the late-payment compensation): when it was
     * confirmed, so whoever counted that confirmation (best-sellers) can take it back where it counted it.
     */
    confirmedAt: z.iso.datetime({ offset: true }).optional(),
  }),
);

/**
 * inventory → orders: a paid order's confirmation arrived after its hold expired and the stock went
 * to someone else meanwhile, so inventory sold nothing. Orders cancels the order (compensation),
 * which makes payments refund it. Key: order id.
 */
export const OrderUnfulfillable = defineEvent(
  'order.unfulfillable',
  z.object({
    orderId,
    sku,
    requested: z.number().int().positive(),
    available: z.number().int().nonnegative(),
    reason: z.string(),
  }),
);

/** payments → notifications: a succeeded payment was refunded in full (the order was cancelled). Key: order id. */
export const PaymentRefunded = defineEvent(
  'payment.refunded',
  z.object({
    orderId,
    userId,
    paymentId: z.uuid(),
    refundId: z.uuid(),
    amountCents: cents,
    reason: z.string(),
  }),
);

/** inventory → catalog (availability). Key: SKU. */
export const StockChanged = defineEvent(
  'stock.changed',
  z.object({
    sku,
    onHand: cents,
    reserved: cents,
    sold: cents,
    available: cents,
  }),
);

/** A courier's id, e.g. "courier-07" (delivery's couriers table). */
export const courierId = z.string().regex(/^[\w-]{1,64}$/, 'must be a courier id such as "courier-07"');

/**
 * delivery → notifications: a dispatcher matched the order's delivery job to a free courier (exactly
 * one courier per order, one order per courier at a time). Key: order id.
 */
export const DeliveryAssigned = defineEvent(
  'delivery.assigned',
  z.object({
    orderId,
    userId,
    courierId,
    courierName: z.string(),
    assignedAt: z.iso.datetime({ offset: true }),
  }),
);

/** delivery → notifications: the courier delivered the order and is free again. Key: order id. */
export const DeliveryDelivered = defineEvent(
  'delivery.delivered',
  z.object({
    orderId,
    userId,
    courierId,
    courierName: z.string(),
    deliveredAt: z.iso.datetime({ offset: true }),
  }),
);

/**
 * delivery → notifications: the order was cancelled (order.cancelled) after its delivery job existed,
 * so the job is cancelled and its courier, if one was assigned (`courierId`), is free again. Key: order id.
 */
export const DeliveryCancelled = defineEvent(
  'delivery.cancelled',
  z.object({
    orderId,
    userId,
    courierId: courierId.nullable(),
    courierName: z.string().nullable(),
    reason: z.string(),
    cancelledAt: z.iso.datetime({ offset: true }),
  }),
);

/**
 * auctions → orders: an auction closed (exactly once, by the closing job). With a winner, orders
 * creates one order for them at the winning price, which then goes through the payment saga.
 * `winner` is null when nobody bid. Key: auction id.
 */
export const AuctionClosed = defineEvent(
  'auction.closed',
  z.object({
    auctionId: z.uuid(),
    sku,
    winner: z.object({ userId, bidId: z.uuid(), priceCents: z.number().int().positive() }).nullable(),
    bidCount: z.number().int().nonnegative(),
    endsAt: z.iso.datetime({ offset: true }),
    closedAt: z.iso.datetime({ offset: true }),
  }),
);

export const allEvents = [
  ProductUpdated,
  OrderPlaced,
  PaymentSucceeded,
  PaymentFailed,
  OrderConfirmed,
  OrderCancelled,
  OrderUnfulfillable,
  PaymentRefunded,
  StockChanged,
  DeliveryAssigned,
  DeliveryDelivered,
  DeliveryCancelled,
  AuctionClosed,
] as const;
