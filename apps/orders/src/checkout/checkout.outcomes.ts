import type { ReservationStatus } from '@sdp/contracts';
import type { CheckoutAccepted } from './dto/checkout.dto';

// What a checkout ends in, in the domain's words; checkout-answers.ts is the one place that turns
// each into an HTTP status and body.

/** A final "no" for this key and body: stored under the Idempotency-Key, so a retry gets it again. */
export type CheckoutRefusal =
  /** The catalog does not sell these SKUs. */
  | { kind: 'UnknownSku'; skus: string[] }
  /** Inventory keeps no stock for a SKU the catalog sells. */
  | { kind: 'NoStockRecord'; detail: string }
  | { kind: 'OutOfStock'; sku: string; available: number; detail: string }
  /**
   * An earlier attempt with this key took the hold, and it has since been released (expired) or
   * committed (the key reused long after): that order id is spent, this key cannot place an order.
   */
  | { kind: 'HoldSpent'; status: Exclude<ReservationStatus, 'HELD'> };

/** What the idempotency key stores as the final answer: the order placed, or a refusal. */
export type FinalOutcome =
  { kind: 'Accepted'; order: CheckoutAccepted } | { kind: 'Refused'; refusal: CheckoutRefusal };

export type CheckoutOutcome =
  | FinalOutcome
  /** A retry of a request that already has its final answer: the stored answer, sent as it was. */
  | { kind: 'Replayed'; statusCode: number; body: unknown };

/** Checkout from an empty cart. Not stored: the client may fill the cart and retry with the key. */
export class EmptyCartError extends Error {
  constructor() {
    super('cart is empty');
    this.name = 'EmptyCartError';
  }
}

/** Another request with this Idempotency-Key is being handled right now. */
export class IdempotencyKeyInProgressError extends Error {
  constructor() {
    super('a request with this Idempotency-Key is in progress; retry shortly');
    this.name = 'IdempotencyKeyInProgressError';
  }
}

/** The Idempotency-Key was used before with another body. */
export class IdempotencyKeyReusedError extends Error {
  constructor() {
    super('Idempotency-Key reused with a different body');
    this.name = 'IdempotencyKeyReusedError';
  }
}
