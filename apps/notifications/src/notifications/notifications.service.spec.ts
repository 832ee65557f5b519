import {
  DeliveryAssigned,
  DeliveryCancelled,
  DeliveryDelivered,
  OrderCancelled,
  OrderConfirmed,
  PaymentRefunded,
} from '@sdp/contracts';
import { createEnvelope, deliverTo, NonRetryableError } from '@sdp/messaging';
import type { MetricsService } from '@sdp/observability';
import type { NotificationFanout } from './notification-fanout';
import { sseFrame } from './notification-streams';
import type { NotificationsRepository } from './notifications.repository';
import { NotificationsService, toDeliveryNotification, toNotification } from './notifications.service';

const orderId = '9b2f4c0e-8a5e-4c1a-9a53-0e8f2d6b7a11';
const items = [{ sku: 'SKU-000001', quantity: 2, priceCents: 500 }];

describe(toNotification.name, () => {
  it('tells the user an order was confirmed or cancelled', () => {
    const ok = OrderConfirmed.create(orderId, { orderId, userId: 'u-1', items, totalCents: 1_000 });
    expect(toNotification(ok)).toEqual({
      eventId: ok.id,
      userId: 'u-1',
      orderId,
      type: 'order.confirmed',
      data: { orderId, status: 'CONFIRMED', totalCents: 1_000, items },
    });
    const no = OrderCancelled.create(orderId, { orderId, userId: 'u-1', items, reason: 'payment declined' });
    expect(toNotification(no).data).toEqual({
      orderId,
      status: 'CANCELLED',
      reason: 'payment declined',
      items,
    });
  });

  it('tells the user a cancelled order was refunded, with the amount', () => {
    const refunded = PaymentRefunded.create(orderId, {
      orderId,
      userId: 'u-1',
      paymentId: '2f0c4c0e-8a5e-4c1a-9a53-0e8f2d6b7a11',
      refundId: '3f0c4c0e-8a5e-4c1a-9a53-0e8f2d6b7a11',
      amountCents: 1_000,
      reason: 'sold out after the hold expired',
    });
    expect(toNotification(refunded)).toEqual({
      eventId: refunded.id,
      userId: 'u-1',
      orderId,
      type: 'payment.refunded',
      data: { orderId, status: 'REFUNDED', amountCents: 1_000, reason: 'sold out after the hold expired' },
    });
  });

  it('sends malformed or unexpected events straight to the DLQ', async () => {
    const stored: unknown[] = [];
    const service = new NotificationsService(
      { counter: () => ({ inc: () => undefined }) } as unknown as MetricsService,
      { insert: async (n: unknown) => void stored.push(n) } as unknown as NotificationsRepository,
      {} as NotificationFanout,
    );
    const bad = createEnvelope('order.confirmed', orderId, { orderId, userId: 'u 1' });
    await expect(deliverTo(service, bad)).rejects.toThrow(NonRetryableError);
    await expect(deliverTo(service, bad)).rejects.toThrow(/userId/);
    await expect(deliverTo(service, createEnvelope('order.placed', orderId, {}))).rejects.toThrow(
      /does not handle/,
    );
    expect(stored).toEqual([]);
  });
});

describe(toDeliveryNotification.name, () => {
  it('tells the user which courier has the order, then that it arrived', () => {
    const courier = { courierId: 'courier-07', courierName: 'Gus A.' };
    const assigned = DeliveryAssigned.create(orderId, {
      orderId,
      userId: 'u-1',
      ...courier,
      assignedAt: '2026-01-01T10:00:00.000Z',
    });
    expect(toDeliveryNotification(assigned)).toEqual({
      eventId: assigned.id,
      userId: 'u-1',
      orderId,
      type: 'delivery.assigned',
      data: { orderId, status: 'ASSIGNED', ...courier, assignedAt: '2026-01-01T10:00:00.000Z' },
    });
    const delivered = DeliveryDelivered.create(orderId, {
      orderId,
      userId: 'u-1',
      ...courier,
      deliveredAt: '2026-01-01T10:20:00.000Z',
    });
    expect(toDeliveryNotification(delivered)).toMatchObject({
      type: 'delivery.delivered',
      data: { status: 'DELIVERED', courierName: 'Gus A.', deliveredAt: '2026-01-01T10:20:00.000Z' },
    });
    const cancelled = DeliveryCancelled.create(orderId, {
      orderId,
      userId: 'u-1',
      ...courier,
      reason: 'paid after its stock hold expired',
      cancelledAt: '2026-01-01T10:05:00.000Z',
    });
    expect(toDeliveryNotification(cancelled)).toMatchObject({
      type: 'delivery.cancelled',
      data: { status: 'CANCELLED', courierName: 'Gus A.', reason: 'paid after its stock hold expired' },
    });
  });

  it('routes delivery events to their own group and still refuses a malformed one', async () => {
    const stored: { type: string }[] = [];
    const service = new NotificationsService(
      { counter: () => ({ inc: () => undefined }) } as unknown as MetricsService,
      {
        insert: async (n: { type: string }) => {
          stored.push(n);
          return null; // "already stored": nothing to push
        },
      } as unknown as NotificationsRepository,
      {} as NotificationFanout,
    );
    const ok = DeliveryAssigned.create(orderId, {
      orderId,
      userId: 'u-1',
      courierId: 'courier-01',
      courierName: 'Ada A.',
      assignedAt: '2026-01-01T10:00:00.000Z',
    });
    await deliverTo(service, ok);
    expect(stored.map((n) => n.type)).toEqual(['delivery.assigned']);
    const bad = createEnvelope('delivery.delivered', orderId, { orderId, userId: 'u-1' });
    await expect(deliverTo(service, bad)).rejects.toThrow(/courierId/);
    expect(stored).toHaveLength(1);
  });
});

describe(sseFrame.name, () => {
  it('writes one event with id, event name and a single JSON data line', () => {
    const frame = sseFrame({
      id: 'n-1',
      userId: 'u-1',
      orderId,
      type: 'order.cancelled',
      data: { orderId, status: 'CANCELLED', reason: 'line one\nline two' },
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    const lines = frame.split('\n');
    expect(lines.slice(0, 2)).toEqual(['id: n-1', 'event: order.cancelled']);
    expect(JSON.parse(lines[2].slice('data: '.length))).toMatchObject({
      status: 'CANCELLED',
      notificationId: 'n-1',
    });
    expect(lines.slice(3)).toEqual(['', '']); // the blank line that ends the event
  });
});
