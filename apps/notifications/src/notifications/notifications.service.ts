import { Injectable, Logger } from '@nestjs/common';
import {
  DeliveryAssigned,
  DeliveryCancelled,
  DeliveryDelivered,
  OrderCancelled,
  OrderConfirmed,
  PaymentRefunded,
} from '@sdp/contracts';
import { ConsumeEvents, type ConsumedEvent } from '@sdp/messaging';
import { MetricsService } from '@sdp/observability';
import { consumerGroups } from '@sdp/topology';
import type { NewNotification, NotificationView } from './notification';
import { NotificationFanout } from './notification-fanout';
import { NotificationsRepository } from './notifications.repository';

/** The events a user is told about. */
export const orderOutcomes = [OrderConfirmed, OrderCancelled, PaymentRefunded] as const;
export type OrderOutcome = ConsumedEvent<(typeof orderOutcomes)[number]>;

/** The courier's progress with an order (apps/delivery): assigned, then delivered (or cancelled with the order). */
export const deliveryUpdates = [DeliveryAssigned, DeliveryDelivered, DeliveryCancelled] as const;
export type DeliveryUpdate = ConsumedEvent<(typeof deliveryUpdates)[number]>;

/**
 * What the user is told about an order outcome (parsed by its contract before it gets here).
 * A paid order that is cancelled gets two: the cancellation (its reason says a refund follows), then
 * the refund once payments has actually made it, so the user is never told "refunded" too early.
 */
export function toNotification(envelope: OrderOutcome): NewNotification {
  const { id: eventId, type } = envelope;
  switch (envelope.type) {
    case OrderConfirmed.type: {
      const { orderId, userId, items, totalCents } = envelope.data;
      return { eventId, userId, orderId, type, data: { orderId, status: 'CONFIRMED', totalCents, items } };
    }
    case OrderCancelled.type: {
      const { orderId, userId, items, reason } = envelope.data;
      return { eventId, userId, orderId, type, data: { orderId, status: 'CANCELLED', reason, items } };
    }
    case PaymentRefunded.type: {
      const { orderId, userId, amountCents, reason } = envelope.data;
      return { eventId, userId, orderId, type, data: { orderId, status: 'REFUNDED', amountCents, reason } };
    }
  }
}

/** What the user is told about their delivery: which courier has it, then that it arrived (or will not). */
export function toDeliveryNotification(envelope: DeliveryUpdate): NewNotification {
  const { id: eventId, type } = envelope;
  const { orderId, userId, courierId, courierName } = envelope.data;
  // Every delivery update names the order and the courier; only the status and its own fields differ.
  const about = (status: string, details: Record<string, unknown>): NewNotification => ({
    eventId,
    userId,
    orderId,
    type,
    data: { orderId, status, courierId, courierName, ...details },
  });
  switch (envelope.type) {
    case DeliveryAssigned.type:
      return about('ASSIGNED', { assignedAt: envelope.data.assignedAt });
    case DeliveryDelivered.type:
      return about('DELIVERED', { deliveredAt: envelope.data.deliveredAt });
    case DeliveryCancelled.type: {
      const { reason, cancelledAt } = envelope.data;
      return about('CANCELLED', { reason, cancelledAt });
    }
  }
}

@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);
  private readonly stored;
  private readonly duplicates;
  private readonly fanoutFailures;

  constructor(
    metrics: MetricsService,
    private readonly repository: NotificationsRepository,
    private readonly fanout: NotificationFanout,
  ) {
    this.stored = metrics.counter('notifications_stored_total', 'Notifications stored, by event type.', [
      'type',
    ]);
    this.duplicates = metrics.counter(
      'notifications_duplicate_deliveries_total',
      'Order outcome events delivered again and skipped (already stored and pushed).',
    );
    this.fanoutFailures = metrics.counter(
      'notifications_fanout_failures_total',
      'Stored notifications that could not be published on Redis (clients catch up on reconnect).',
    );
  }

  /**
   * Stores the outcome once (event_id is UNIQUE) and pushes it only when it was stored now. A
   * brand-new group starts from the oldest retained outcome, so none is lost before first start.
   */
  @ConsumeEvents({ group: consumerGroups.notifications.orderOutcomes, events: orderOutcomes })
  async handleOrderOutcome(envelope: OrderOutcome): Promise<void> {
    await this.storeAndPush(toNotification(envelope));
  }

  /** Courier news, in a group of its own so it never waits behind order outcomes (nor they behind it). */
  @ConsumeEvents({ group: consumerGroups.notifications.deliveryUpdates, events: deliveryUpdates })
  async handleDeliveryUpdate(envelope: DeliveryUpdate): Promise<void> {
    await this.storeAndPush(toDeliveryNotification(envelope));
  }

  private async storeAndPush(notification: NewNotification): Promise<void> {
    const stored = await this.repository.insert(notification);
    if (!stored) {
      this.duplicates.inc();
      return;
    }
    this.stored.inc({ type: stored.type });
    try {
      await this.fanout.publish(stored);
    } catch (error) {
      // Stored but not pushed: the user sees it on reconnect (Last-Event-ID) or in GET /notifications.
      // Retrying the message would not help: the redelivery finds the row and skips the push.
      this.fanoutFailures.inc();
      this.logger.warn(`notification ${stored.id} stored but not pushed: ${String(error)}`);
    }
  }

  recent(userId: string, limit: number): Promise<NotificationView[]> {
    return this.repository.recent(userId, limit);
  }
}
