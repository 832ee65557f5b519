import { Injectable, Logger } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed, PaymentRefunded } from '@sdp/contracts';
import { Consumers, type EventEnvelope, NonRetryableError, Topics } from '@sdp/messaging';
import { MetricsService } from '@sdp/observability';
import type { NewNotification, NotificationView } from './notification';
import { NotificationFanout } from './notification-fanout';
import { NotificationsRepository } from './notifications.repository';

/**
 * What the user is told about an order outcome; a malformed event is NonRetryable (straight to the DLQ).
 * A paid order that is cancelled gets two: the cancellation (its reason says a refund follows), then
 * the refund once payments has actually made it, so the user is never told "refunded" too early.
 */
export function toNotification(envelope: EventEnvelope): NewNotification {
  if (envelope.type === OrderConfirmed.type) {
    const parsed = OrderConfirmed.parse(envelope);
    if (!parsed.ok) throw new NonRetryableError(parsed.reason);
    const { orderId, userId, items, totalCents } = parsed.envelope.data;
    const data = { orderId, status: 'CONFIRMED', totalCents, items };
    return { eventId: envelope.id, userId, orderId, type: envelope.type, data };
  }
  if (envelope.type === OrderCancelled.type) {
    const parsed = OrderCancelled.parse(envelope);
    if (!parsed.ok) throw new NonRetryableError(parsed.reason);
    const { orderId, userId, items, reason } = parsed.envelope.data;
    const data = { orderId, status: 'CANCELLED', reason, items };
    return { eventId: envelope.id, userId, orderId, type: envelope.type, data };
  }
  if (envelope.type === PaymentRefunded.type) {
    const parsed = PaymentRefunded.parse(envelope);
    if (!parsed.ok) throw new NonRetryableError(parsed.reason);
    const { orderId, userId, amountCents, reason } = parsed.envelope.data;
    const data = { orderId, status: 'REFUNDED', amountCents, reason };
    return { eventId: envelope.id, userId, orderId, type: envelope.type, data };
  }
  throw new NonRetryableError(`notifications does not handle events of type "${envelope.type}"`);
}

@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);
  private readonly stored;
  private readonly duplicates;
  private readonly fanoutFailures;

  constructor(
    consumers: Consumers,
    topics: Topics,
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
    consumers.declare({
      // The group carries the topic prefix too, so test stacks sharing a broker never share a group.
      groupId: topics.name('notifications'),
      topics: [OrderConfirmed.type, OrderCancelled.type, PaymentRefunded.type],
      // A brand-new group starts from the oldest retained outcome, so none is lost before first start.
      fromBeginning: true,
      handler: (envelope) => this.handleOrderOutcome(envelope),
    });
  }

  /** Stores the outcome once (event_id is UNIQUE) and pushes it only when it was stored now. */
  async handleOrderOutcome(envelope: EventEnvelope): Promise<void> {
    const stored = await this.repository.insert(toNotification(envelope));
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
