import { Inject, Injectable, Logger } from '@nestjs/common';
import { OrderCancelled, OrderUnfulfillable } from '@sdp/contracts';
import { ConsumeEvents, type ConsumedEvent } from '@sdp/messaging';
import { appendToOutbox, Inbox } from '@sdp/outbox';
import { consumerGroups } from '@sdp/topology';
import { DataSource } from 'typeorm';
import { ORDERS_CONFIG, type OrdersConfig } from '../config';
import { OrdersMetrics } from './orders.metrics';
import { OrdersRepository } from './orders.repository';

/** What the customer reads on the order: why a paid order was cancelled, and what happens to the money. */
export const unfulfillableReason = (sku: string): string =>
  `paid after its stock hold expired, and ${sku} sold out meanwhile; the payment will be refunded`;

/**
 * The saga's compensation for a payment that outlived its stock hold: inventory could not sell a
 * CONFIRMED order (order.unfulfillable), so the order moves CONFIRMED → CANCELLED and order.cancelled
 * tells payments to refund it. Inbox claim, conditional update and outbox row commit together, so a
 * duplicate or a stale event changes nothing.
 */
@Injectable()
export class InventoryEventsConsumer {
  private readonly logger = new Logger(InventoryEventsConsumer.name);
  private readonly inbox: Inbox;

  constructor(
    dataSource: DataSource,
    private readonly orders: OrdersRepository,
    private readonly metrics: OrdersMetrics,
    @Inject(ORDERS_CONFIG) private readonly config: OrdersConfig,
  ) {
    this.inbox = new Inbox(dataSource, config.DB_SCHEMA, 'orders.inventory-outcome');
  }

  // A group of its own: a stuck payment outcome must not hold up compensations, nor the reverse.
  @ConsumeEvents({ group: consumerGroups.orders.inventoryOutcomes, events: [OrderUnfulfillable] })
  async handle(envelope: ConsumedEvent<typeof OrderUnfulfillable>): Promise<void> {
    const { orderId, sku } = envelope.data;
    const reason = unfulfillableReason(sku);
    const schema = this.config.DB_SCHEMA;
    const result = await this.inbox.once(envelope.id, async (manager) => {
      // Only a CONFIRMED order was paid and can be unfulfillable; anything else stays as it is.
      const confirmedAt = await this.orders.confirmedAt(manager, orderId);
      const order = await this.orders.transition(manager, orderId, 'CONFIRMED', 'CANCELLED', reason);
      if (!order || !confirmedAt) return 'ignored' as const;
      const { userId, items } = order;
      const event = OrderCancelled.create(
        orderId,
        { orderId, userId, items, reason, confirmedAt },
        envelope.requestId,
      );
      await appendToOutbox(manager, schema, event.type, event);
      return 'applied' as const;
    });
    this.metrics.inventoryEvents.inc({ type: envelope.type, result });
    if (result === 'applied') {
      this.metrics.transitions.inc({ from: 'CONFIRMED', to: 'CANCELLED' });
      this.logger.warn(`order ${orderId} cancelled after payment: ${sku} sold out after its hold expired`);
    }
    if (result === 'ignored') {
      this.logger.warn(`${envelope.type} ${envelope.id} for order ${orderId}: order not CONFIRMED, ignored`);
    }
  }
}
