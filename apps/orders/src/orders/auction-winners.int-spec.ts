import { randomUUID } from 'node:crypto';
import { AuctionClosed, PaymentSucceeded } from '@sdp/contracts';
import { type EventEnvelope } from '@sdp/messaging';
import { uniqueName, waitFor } from '@sdp/testing';
import { ordersHarness } from '../../test/support/orders-harness';
import { orderIdForAuction } from './auction-events.consumer';

// auction.closed → one order for the winner, which the payment saga then takes like any other
// (apps/orders/test/support/orders-harness.ts: two orders replicas, real Postgres and Kafka).

describe('orders (integration): auction winners', () => {
  const { publisher, received, call, count, orderStatus, metricSum, topicPrefix } = ordersHarness();
  const publish = (event: EventEnvelope) => publisher.publish(topicPrefix + event.type, event);
  const closed = (auctionId: string, winner: { userId: string; priceCents: number } | null) =>
    AuctionClosed.create(
      auctionId,
      {
        auctionId,
        sku: 'SKU-000003',
        winner: winner && { ...winner, bidId: randomUUID() },
        bidCount: winner ? 7 : 0,
        endsAt: new Date().toISOString(),
        closedAt: new Date().toISOString(),
      },
      'req-auction-1',
    );

  it('places one order for the winner at the winning price, however often auction.closed arrives', async () => {
    const auctionId = randomUUID();
    const winner = uniqueName('bidder');
    const orderId = orderIdForAuction(auctionId);
    const first = closed(auctionId, { userId: winner, priceCents: 12_345 });
    await publish(first);
    await publish(first); // the redelivery at-least-once allows
    await publish(closed(auctionId, { userId: winner, priceCents: 12_345 })); // a re-emitted copy (new event id)
    const placed = await waitFor(
      () => received.find((m) => m.topic === 'order.placed' && m.key === orderId),
      { timeoutMs: 30_000, what: 'order.placed for the winner' },
    );
    expect(placed.envelope).toMatchObject({
      requestId: 'req-auction-1',
      data: {
        orderId,
        userId: winner,
        totalCents: 12_345,
        items: [{ sku: 'SKU-000003', quantity: 1, priceCents: 12_345 }],
      },
    });
    await waitFor(
      async () => (await metricSum(/^orders_auction_events_total\{result="(exists|duplicate)"\}/)) >= 2,
      { timeoutMs: 30_000, what: 'the two extra copies to be seen and skipped' },
    );
    expect(await count('orders', 'id = $1', [orderId])).toBe(1);
    expect(await count('outbox', `topic = 'order.placed' AND key = $1`, [orderId])).toBe(1);
    const view = (await call('GET', `/orders/${orderId}`, { user: winner })).json();
    expect(view).toMatchObject({ status: 'PENDING_PAYMENT', totalCents: 12_345 });

    // From here it is an ordinary order: the payment outcome confirms it.
    await publish(
      PaymentSucceeded.create(orderId, { orderId, paymentId: randomUUID(), amountCents: 12_345 }),
    );
    await waitFor(async () => (await orderStatus(orderId)) === 'CONFIRMED', {
      timeoutMs: 30_000,
      what: 'CONFIRMED',
    });
  });

  it('places nothing for an auction closed without bids', async () => {
    const auctionId = randomUUID();
    const event = closed(auctionId, null);
    await publish(event);
    await waitFor(async () => (await count('processed_messages', 'event_id = $1', [event.id])) === 1, {
      timeoutMs: 30_000,
      what: 'the event to be consumed',
    });
    expect(await count('orders', 'id = $1', [orderIdForAuction(auctionId)])).toBe(0);
    expect(await metricSum(/^orders_auction_events_total\{result="no_winner"\}/)).toBe(1);
  });
});
