import { randomUUID } from 'node:crypto';
import { OrderUnfulfillable, PaymentFailed, PaymentSucceeded } from '@sdp/contracts';
import { type EventEnvelope } from '@sdp/messaging';
import { uniqueName, waitFor } from '@sdp/testing';
import { ordersHarness } from '../../test/support/orders-harness';

// The order saga's steps in orders: payment outcomes confirm or cancel, a paid order inventory
// cannot fulfil is cancelled and refunded, duplicates are applied once
// (apps/orders/test/support/orders-harness.ts).

describe('orders (integration): payment and inventory events', () => {
  const { publisher, received, db, call, checkout, count, orderStatus, metricSum, schema, topicPrefix } =
    ordersHarness();

  describe('payment outcomes', () => {
    const place = async (user: string): Promise<string> => {
      const res = await checkout(user, uniqueName('key'), { items: [{ sku: 'SKU-000002', quantity: 3 }] });
      expect(res.statusCode).toBe(202);
      return res.json().orderId;
    };
    const publish = (event: EventEnvelope) => publisher.publish(topicPrefix + event.type, event);

    it('confirms the order once when payment.succeeded is delivered twice, and emits order.confirmed', async () => {
      const user = uniqueName('payer');
      const orderId = await place(user);
      const event = PaymentSucceeded.create(
        orderId,
        { orderId, paymentId: randomUUID(), amountCents: 1_500 },
        'req-pay-1',
      );
      await publish(event);
      await publish(event); // the redelivery at-least-once allows
      await waitFor(async () => (await orderStatus(orderId)) === 'CONFIRMED', {
        timeoutMs: 30_000,
        what: 'CONFIRMED',
      });
      const confirmed = await waitFor(
        () => received.find((m) => m.topic === 'order.confirmed' && m.key === orderId),
        {
          timeoutMs: 20_000,
          what: 'order.confirmed on Kafka',
        },
      );
      expect(confirmed.envelope).toMatchObject({
        requestId: 'req-pay-1',
        data: {
          orderId,
          userId: user,
          totalCents: 1_500,
          items: [{ sku: 'SKU-000002', quantity: 3, priceCents: 500 }],
        },
      });
      await waitFor(
        async () =>
          (await metricSum(/^orders_payment_events_total\{type="payment.succeeded",result="duplicate"\}/)) >=
          1,
        { timeoutMs: 20_000, what: 'the duplicate to be seen and skipped' },
      );
      expect(await count('outbox', `topic = 'order.confirmed' AND key = $1`, [orderId])).toBe(1);
      expect(await count('processed_messages', 'event_id = $1', [event.id])).toBe(1);
      expect((await call('GET', `/orders/${orderId}`, { user })).json().status).toBe('CONFIRMED');
    });

    it('cancels the order with the reason when payment.failed arrives (twice), and a late success changes nothing', async () => {
      const user = uniqueName('declined');
      const orderId = await place(user);
      const failed = PaymentFailed.create(orderId, {
        orderId,
        paymentId: randomUUID(),
        reason: 'card declined',
      });
      await publish(failed);
      await publish(failed);
      await waitFor(async () => (await orderStatus(orderId)) === 'CANCELLED', {
        timeoutMs: 30_000,
        what: 'CANCELLED',
      });
      const cancelled = await waitFor(
        () => received.find((m) => m.topic === 'order.cancelled' && m.key === orderId),
        {
          timeoutMs: 20_000,
          what: 'order.cancelled on Kafka',
        },
      );
      expect(cancelled.envelope.data).toMatchObject({ orderId, userId: user, reason: 'card declined' });

      const late = PaymentSucceeded.create(orderId, { orderId, paymentId: randomUUID(), amountCents: 1_500 });
      await publish(late);
      await waitFor(async () => (await count('processed_messages', 'event_id = $1', [late.id])) === 1, {
        timeoutMs: 30_000,
        what: 'the late event to be consumed',
      });
      expect(await orderStatus(orderId)).toBe('CANCELLED');
      expect(
        await count('outbox', `key = $1 AND topic IN ('order.confirmed', 'order.cancelled')`, [orderId]),
      ).toBe(1);
    });

    it('counts the one PENDING_PAYMENT → CONFIRMED transition above on /metrics', async () => {
      expect(
        await metricSum(/^orders_status_transitions_total\{from="PENDING_PAYMENT",to="CONFIRMED"\}/),
      ).toBe(1);
    });
  });

  describe('paid orders inventory cannot fulfil', () => {
    const publish = (event: EventEnvelope) => publisher.publish(topicPrefix + event.type, event);
    const unfulfillable = (orderId: string) =>
      OrderUnfulfillable.create(
        orderId,
        { orderId, sku: 'SKU-000002', requested: 3, available: 0, reason: 'sold out after the hold expired' },
        'req-late-1',
      );
    const consumed = (eventId: string) =>
      waitFor(async () => (await count('processed_messages', 'event_id = $1', [eventId])) === 1, {
        timeoutMs: 30_000,
        what: `event ${eventId} to be consumed`,
      });
    const placeAndConfirm = async (user: string): Promise<string> => {
      const res = await checkout(user, uniqueName('key'), { items: [{ sku: 'SKU-000002', quantity: 3 }] });
      const orderId: string = res.json().orderId;
      await publish(
        PaymentSucceeded.create(orderId, { orderId, paymentId: randomUUID(), amountCents: 1_500 }),
      );
      await waitFor(async () => (await orderStatus(orderId)) === 'CONFIRMED', {
        timeoutMs: 30_000,
        what: 'CONFIRMED',
      });
      return orderId;
    };

    it('cancels a CONFIRMED order once when order.unfulfillable is delivered twice or re-emitted, and emits order.cancelled', async () => {
      const user = uniqueName('late-payer');
      const orderId = await placeAndConfirm(user);
      const { rows: confirmedRows } = await db.query(
        `SELECT updated_at FROM "${schema.name}".orders WHERE id = $1`,
        [orderId],
      );
      const confirmedAt = (confirmedRows[0].updated_at as Date).toISOString();
      const event = unfulfillable(orderId);
      const reemitted = unfulfillable(orderId); // same order, new event id: the inbox cannot catch it
      await publish(event);
      await publish(event);
      await publish(reemitted);
      await consumed(reemitted.id); // same key, same partition, published last

      expect(await orderStatus(orderId)).toBe('CANCELLED');
      const { rows } = await db.query(`SELECT cancel_reason FROM "${schema.name}".orders WHERE id = $1`, [
        orderId,
      ]);
      const reason: string = rows[0].cancel_reason;
      expect(reason).toMatch(/paid after its stock hold expired, and SKU-000002 sold out/);
      expect(await count('outbox', `topic = 'order.cancelled' AND key = $1`, [orderId])).toBe(1);
      const cancelled = await waitFor(
        () => received.find((m) => m.topic === 'order.cancelled' && m.key === orderId),
        { timeoutMs: 20_000, what: 'order.cancelled on Kafka' },
      );
      expect(cancelled.envelope).toMatchObject({
        requestId: 'req-late-1',
        data: {
          orderId,
          userId: user,
          items: [{ sku: 'SKU-000002', quantity: 3, priceCents: 500 }],
          reason,
          confirmedAt, // so best-sellers can take back the confirmation where it counted it
        },
      });
      expect(
        await metricSum(/^orders_inventory_events_total\{type="order.unfulfillable",result="applied"\}/),
      ).toBe(1);
      expect(
        await metricSum(/^orders_inventory_events_total\{type="order.unfulfillable",result="duplicate"\}/),
      ).toBeGreaterThanOrEqual(1);
      expect(await metricSum(/^orders_status_transitions_total\{from="CONFIRMED",to="CANCELLED"\}/)).toBe(1);
      // The re-emitted event found the order CANCELLED already: counted as ignored, nothing written.
      expect(
        await metricSum(/^orders_inventory_events_total\{type="order.unfulfillable",result="ignored"\}/),
      ).toBe(1);
    });

    it('leaves an order that was never paid (still PENDING_PAYMENT) as it is', async () => {
      const user = uniqueName('not-paid');
      const res = await checkout(user, uniqueName('key'), { items: [{ sku: 'SKU-000002', quantity: 1 }] });
      const pending: string = res.json().orderId;
      const ignored = /^orders_inventory_events_total\{type="order.unfulfillable",result="ignored"\}/;
      const ignoredBefore = await metricSum(ignored);
      const event = unfulfillable(pending);
      await publish(event);
      await consumed(event.id);
      expect(await orderStatus(pending)).toBe('PENDING_PAYMENT');
      expect(await count('outbox', `topic = 'order.cancelled' AND key = $1`, [pending])).toBe(0);
      expect(await metricSum(ignored)).toBe(ignoredBefore + 1);
    });
  });
});
