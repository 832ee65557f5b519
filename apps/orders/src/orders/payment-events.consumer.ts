import { Inject, Injectable, Logger } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed, PaymentFailed, PaymentSucceeded } from '@sdp/contracts';
import { ConsumeEvents, type ConsumedEvent } from '@sdp/messaging';
import { appendToOutbox, Inbox } from '@sdp/outbox';
import { consumerGroups } from '@sdp/topology';
import { DataSource } from 'typeorm';
import { ORDERS_CONFIG, type OrdersConfig } from '../config';
import { OrdersMetrics } from './orders.metrics';
import { OrdersRepository } from './orders.repository';

/**
 * The saga's second half on the orders side: a payment outcome moves a PENDING_PAYMENT order to
 * CONFIRMED or CANCELLED and announces it. The inbox claim, the conditional status update and the
 * outbox row commit together, so a redelivered event (Kafka is at-least-once) changes nothing.
 */
@Injectable()
export class PaymentEventsConsumer {
  private readonly logger = new Logger(PaymentEventsConsumer.name);
  private readonly inbox: Inbox;

  constructor(
    dataSource: DataSource,
    private readonly orders: OrdersRepository,
    private readonly metrics: OrdersMetrics,
    @Inject(ORDERS_CONFIG) private readonly config: OrdersConfig,
  ) {
    this.inbox = new Inbox(dataSource, config.DB_SCHEMA, 'orders.payment-outcome');
  }

  @ConsumeEvents({ group: consumerGroups.orders.paymentOutcomes, events: [PaymentSucceeded, PaymentFailed] })
  async handle(envelope: ConsumedEvent<typeof PaymentSucceeded | typeof PaymentFailed>): Promise<void> {
    if (envelope.type === PaymentSucceeded.type) {
      await this.apply(envelope, envelope.data.orderId, 'CONFIRMED');
    } else {
      await this.apply(envelope, envelope.data.orderId, 'CANCELLED', envelope.data.reason);
    }
  }

  private async apply(
    envelope: ConsumedEvent<typeof PaymentSucceeded | typeof PaymentFailed>,
    orderId: string,
    to: 'CONFIRMED' | 'CANCELLED',
    reason?: string,
  ): Promise<void> {
    const schema = this.config.DB_SCHEMA;
    const result = await this.inbox.once(envelope.id, async (manager) => {
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
