import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed, PaymentFailed, PaymentSucceeded } from '@sdp/contracts';
import { Consumers, NonRetryableError, type EventEnvelope } from '@sdp/messaging';
import { appendToOutbox, claimEvent } from '@sdp/outbox';
import { DataSource } from 'typeorm';
import { ORDERS_CONFIG, type OrdersConfig } from '../config';
import { OrdersMetrics } from './orders.metrics';
import { OrdersRepository } from './orders.repository';

/** Inbox name for this consumer in processed_messages. */
const INBOX = 'orders.payment-outcome';

/**
 * The saga's second half on the orders side: a payment outcome moves a PENDING_PAYMENT order to
 * CONFIRMED or CANCELLED and announces it. The inbox claim, the conditional status update and the
 * outbox row commit together, so a redelivered event (Kafka is at-least-once) changes nothing.
 */
@Injectable()
export class PaymentEventsConsumer implements OnModuleInit {
  private readonly logger = new Logger(PaymentEventsConsumer.name);

  constructor(
    private readonly consumers: Consumers,
    private readonly dataSource: DataSource,
    private readonly orders: OrdersRepository,
    private readonly metrics: OrdersMetrics,
    @Inject(ORDERS_CONFIG) private readonly config: OrdersConfig,
  ) {}

  onModuleInit(): void {
    this.consumers.declare({
      groupId: this.config.CONSUMER_GROUP,
      topics: [PaymentSucceeded.type, PaymentFailed.type],
      // A new group must not skip outcomes published before it first joined.
      fromBeginning: true,
      handler: (envelope) => this.handle(envelope),
    });
  }

  async handle(envelope: EventEnvelope): Promise<void> {
    if (envelope.type === PaymentSucceeded.type) {
      const parsed = PaymentSucceeded.parse(envelope);
      if (!parsed.ok) throw new NonRetryableError(parsed.reason);
      await this.apply(envelope, parsed.envelope.data.orderId, 'CONFIRMED');
    } else if (envelope.type === PaymentFailed.type) {
      const parsed = PaymentFailed.parse(envelope);
      if (!parsed.ok) throw new NonRetryableError(parsed.reason);
      await this.apply(envelope, parsed.envelope.data.orderId, 'CANCELLED', parsed.envelope.data.reason);
    } else {
      throw new NonRetryableError(`orders does not handle "${envelope.type}"`);
    }
  }

  private async apply(
    envelope: EventEnvelope,
    orderId: string,
    to: 'CONFIRMED' | 'CANCELLED',
    reason?: string,
  ): Promise<void> {
    const schema = this.config.DB_SCHEMA;
    const result = await this.dataSource.transaction(async (manager) => {
      if (!(await claimEvent(manager, schema, INBOX, envelope.id))) return 'duplicate' as const;
      const order = await this.orders.transition(manager, orderId, 'PENDING_PAYMENT', to, reason);
      if (!order) return 'ignored' as const;
      const { userId, items, totalCents } = order;
      const event =
        to === 'CONFIRMED'
          ? OrderConfirmed.create(orderId, { orderId, userId, items, totalCents }, envelope.requestId)
          : OrderCancelled.create(
              orderId,
              { orderId, userId, items, reason: reason ?? 'payment failed' },
              envelope.requestId,
            );
      await appendToOutbox(manager, schema, event.type, event);
      return 'applied' as const;
    });
    this.metrics.paymentEvents.inc({ type: envelope.type, result });
    if (result === 'applied') this.metrics.transitions.inc({ from: 'PENDING_PAYMENT', to });
    if (result === 'ignored') {
      // Unknown order, or already final (e.g. a second, different payment event): nothing to move.
      this.logger.warn(`${envelope.type} ${envelope.id} for order ${orderId}: order not pending, ignored`);
    }
  }
}
