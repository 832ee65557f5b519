import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuctionClosed, OrderPlaced } from '@sdp/contracts';
import { ConsumeEvents, type ConsumedEvent } from '@sdp/messaging';
import { appendToOutbox, Inbox } from '@sdp/outbox';
import { consumerGroups } from '@sdp/topology';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ORDERS_CONFIG, type OrdersConfig } from '../config';
import { OrdersMetrics } from './orders.metrics';
import { OrdersRepository } from './orders.repository';

/**
 * The order of an auction's winner: derived from the auction id, so however often auction.closed
 * arrives (at-least-once) or whichever replica handles it, there is one id and so one order.
 * Formatted as an RFC 9562 version-8 (custom) UUID.
 */
export function orderIdForAuction(auctionId: string): string {
  const bytes = createHash('sha256').update(`auction:${auctionId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * auction.closed with a winner becomes one order for the winner at the winning price (one unit of
 * the SKU), PENDING_PAYMENT, with order.placed in the outbox: from there it is an ordinary order
 * and the payment saga takes it (payments charges, orders confirms or cancels). Inbox claim, order
 * and outbox row commit together; the order id comes from the auction id, so a second event for
 * the same auction (a redelivery, or a replayed DLQ message with a new id) finds the order and adds
 * nothing.
 */
@Injectable()
export class AuctionEventsConsumer {
  private readonly logger = new Logger(AuctionEventsConsumer.name);
  private readonly inbox: Inbox;

  constructor(
    dataSource: DataSource,
    private readonly orders: OrdersRepository,
    private readonly metrics: OrdersMetrics,
    @Inject(ORDERS_CONFIG) private readonly config: OrdersConfig,
  ) {
    this.inbox = new Inbox(dataSource, config.DB_SCHEMA, 'orders.auction-winner');
  }

  @ConsumeEvents({ group: consumerGroups.orders.auctionWinners, events: [AuctionClosed] })
  async handle(envelope: ConsumedEvent<typeof AuctionClosed>): Promise<void> {
    const { auctionId, sku, winner } = envelope.data;
    const orderId = orderIdForAuction(auctionId);
    const result = await this.inbox.once(envelope.id, async (manager) => {
      if (!winner) return 'no_winner' as const;
      if (await this.orders.findById(orderId, manager)) return 'exists' as const;
      const items = [{ sku, quantity: 1, priceCents: winner.priceCents }];
      const order = { id: orderId, userId: winner.userId, items, totalCents: winner.priceCents };
      await this.orders.insert(manager, order);
      const event = OrderPlaced.create(
        orderId,
        { orderId, userId: winner.userId, items, totalCents: winner.priceCents },
        envelope.requestId,
      );
      await appendToOutbox(manager, this.config.DB_SCHEMA, event.type, event);
      return 'placed' as const;
    });
    this.metrics.auctionEvents.inc({ result });
    if (result === 'placed') {
      this.metrics.transitions.inc({ from: 'NEW', to: 'PENDING_PAYMENT' });
      this.logger.log(
        `auction ${auctionId} won by ${winner!.userId}: order ${orderId} placed at ${winner!.priceCents}`,
      );
    }
  }
}
