import { Inject, Injectable, Logger } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed, OrderUnfulfillable } from '@sdp/contracts';
import { ConsumeEvents, type ConsumedEvent, type EventEnvelope } from '@sdp/messaging';
import { appendToOutbox, Inbox } from '@sdp/outbox';
import { consumerGroups } from '@sdp/topology';
import { DataSource, type EntityManager } from 'typeorm';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config';
import { InventoryMetrics } from '../inventory.metrics';
import { ReservationsRepository, type LateSale } from '../reservations/reservations.repository';

/**
 * Settles holds when orders finish: order.confirmed commits them (stock sold), order.cancelled
 * releases them. Idempotent: the inbox claim and the stock change commit together. A confirmation
 * that comes too late to be sold emits order.unfulfillable in that same transaction (compensation).
 */
@Injectable()
export class OrderEventsConsumer {
  private readonly logger = new Logger(OrderEventsConsumer.name);
  private readonly inbox: Inbox;

  constructor(
    dataSource: DataSource,
    private readonly reservations: ReservationsRepository,
    private readonly metrics: InventoryMetrics,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
  ) {
    this.inbox = new Inbox(dataSource, config.DB_SCHEMA, 'inventory.order-events');
  }

  @ConsumeEvents({ group: consumerGroups.inventory.orderEvents, events: [OrderConfirmed, OrderCancelled] })
  async handle(envelope: ConsumedEvent<typeof OrderConfirmed | typeof OrderCancelled>): Promise<void> {
    const { orderId } = envelope.data;
    const confirmed = envelope.type === OrderConfirmed.type;
    const settled = await this.inbox.once(envelope.id, async (manager) => {
      const to = confirmed ? 'COMMITTED' : 'RELEASED';
      const moved = await this.reservations.settleOrder(manager, orderId, to, envelope.requestId);
      // Paid after the hold expired and the sweeper released it: sell now if the stock is still there.
      const late =
        moved === 0 && confirmed
          ? await this.reservations.sellReleased(manager, orderId, envelope.requestId)
          : null;
      if (late && 'short' in late) await this.appendUnfulfillable(manager, orderId, late.short, envelope);
      return { moved, late };
    });
    if (settled === 'duplicate') {
      return this.logger.debug(`duplicate ${envelope.type} ${envelope.id} skipped`);
    }
    if (settled.late) return this.reportLate(orderId, settled.late);
    if (!confirmed) this.metrics.holdsReleased.inc({ reason: 'cancelled' }, settled.moved);
    if (settled.moved === 0) {
      // Cancelled before or without a reservation (e.g. checkout failed after reserving nothing).
      this.logger.log(`order ${orderId} cancelled: no HELD reservation to release`);
    } else {
      this.logger.log(`order ${orderId} ${confirmed ? 'committed' : 'released'}: ${settled.moved} line(s)`);
    }
  }

  /** With the inbox claim: the order is cancelled and refunded downstream exactly when this commits. */
  private async appendUnfulfillable(
    manager: EntityManager,
    orderId: string,
    short: { sku: string; quantity: number; available: number },
    cause: EventEnvelope,
  ): Promise<void> {
    const { sku, quantity: requested, available } = short;
    const event = OrderUnfulfillable.create(
      orderId,
      {
        orderId,
        sku,
        requested,
        available,
        reason: `paid after its stock hold expired, and ${sku} sold out meanwhile (${available} left, ${requested} needed)`,
      },
      cause.requestId,
    );
    await appendToOutbox(manager, this.config.DB_SCHEMA, event.type, event);
  }

  private reportLate(orderId: string, late: LateSale): void {
    if ('short' in late) {
      // Paid, but the units went to someone else after the hold expired: nothing is oversold, and
      // order.unfulfillable (outboxed above) makes orders cancel the order and payments refund it.
      this.metrics.lateConfirmations.inc({ outcome: 'short' });
      const { sku, quantity, available } = late.short;
      this.logger.warn(
        `order ${orderId} confirmed after its hold expired and ${sku} is short (${available} left, ${quantity} needed): not sold, order.unfulfillable emitted`,
      );
    } else if (late.sold > 0) {
      this.metrics.lateConfirmations.inc({ outcome: 'sold' });
      this.logger.warn(
        `order ${orderId} confirmed after its hold expired: ${late.sold} line(s) sold from available stock`,
      );
    } else {
      this.metrics.lateConfirmations.inc({ outcome: 'no_reservation' });
      this.logger.warn(
        `order ${orderId} confirmed but has no HELD or RELEASED reservation (already committed?)`,
      );
    }
  }
}
