import { Injectable } from '@nestjs/common';
import { MetricsService, secondsSince } from '@sdp/observability';

export type CheckoutOutcome = 'accepted' | 'out_of_stock' | 'replayed' | 'conflict' | 'invalid' | 'error';

/** What a learner watches on /metrics while running checkouts. */
@Injectable()
export class OrdersMetrics {
  readonly checkouts;
  readonly checkoutSeconds;
  readonly transitions;
  readonly paymentEvents;
  readonly inventoryEvents;
  readonly auctionEvents;

  constructor(metrics: MetricsService) {
    this.checkouts = metrics.counter('orders_checkouts_total', 'Checkout requests by outcome.', ['outcome']);
    this.checkoutSeconds = metrics.histogram(
      'orders_checkout_duration_seconds',
      'Checkout latency (catalog prices + inventory reservation + order transaction), by outcome.',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ['outcome'],
    );
    this.transitions = metrics.counter('orders_status_transitions_total', 'Order status changes.', [
      'from',
      'to',
    ]);
    this.paymentEvents = metrics.counter(
      'orders_payment_events_total',
      'Payment outcomes consumed: applied, duplicate (inbox hit) or ignored (order not pending).',
      ['type', 'result'],
    );
    this.inventoryEvents = metrics.counter(
      'orders_inventory_events_total',
      'order.unfulfillable consumed: applied (CONFIRMED → CANCELLED), duplicate (inbox hit) or ignored (not CONFIRMED).',
      ['type', 'result'],
    );
    this.auctionEvents = metrics.counter(
      'orders_auction_events_total',
      'auction.closed consumed: placed (an order for the winner), exists (already placed), no_winner, or duplicate (inbox hit).',
      ['result'],
    );
  }

  /** Counts a checkout and records its latency; `startedAt` from process.hrtime.bigint(). */
  checkout(outcome: CheckoutOutcome, startedAt: bigint): void {
    this.checkouts.inc({ outcome });
    this.checkoutSeconds.observe({ outcome }, secondsSince(startedAt));
  }
}
