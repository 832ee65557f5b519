import { Inject, Injectable, Logger } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed } from '@sdp/contracts';
import { Consumers, NonRetryableError, type EventEnvelope } from '@sdp/messaging';
import { claimEvent } from '@sdp/outbox';
import { DataSource } from 'typeorm';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config';
import { InventoryMetrics } from '../inventory.metrics';
import { StockRepository, type LateSale } from '../stock/stock.repository';

const CONSUMER = 'inventory.order-events';

/**
 * Settles holds when orders finish: order.confirmed commits them (stock sold), order.cancelled
 * releases them. Idempotent: the inbox claim and the stock change commit together.
 */
@Injectable()
export class OrderEventsConsumer {
  private readonly logger = new Logger(OrderEventsConsumer.name);

  constructor(
    consumers: Consumers,
    private readonly dataSource: DataSource,
    private readonly stock: StockRepository,
    private readonly metrics: InventoryMetrics,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
  ) {
    consumers.declare({
      groupId: config.KAFKA_CONSUMER_GROUP,
      topics: [OrderConfirmed.type, OrderCancelled.type],
      handler: (envelope) => this.handle(envelope),
    });
  }

  async handle(envelope: EventEnvelope): Promise<void> {
    const parsed =
      envelope.type === OrderConfirmed.type ? OrderConfirmed.parse(envelope) : OrderCancelled.parse(envelope);
    if (!parsed.ok) throw new NonRetryableError(parsed.reason);
    const { orderId } = parsed.envelope.data;
    const confirmed = parsed.envelope.type === OrderConfirmed.type;
    const settled = await this.dataSource.transaction(async (manager) => {
      if (!(await claimEvent(manager, this.config.DB_SCHEMA, CONSUMER, envelope.id))) return null;
      const to = confirmed ? 'COMMITTED' : 'RELEASED';
      const moved = await this.stock.settleOrder(manager, orderId, to, envelope.requestId);
      // Paid after the hold expired and the sweeper released it: sell now if the stock is still there.
      const late =
        moved === 0 && confirmed ? await this.stock.sellReleased(manager, orderId, envelope.requestId) : null;
      return { moved, late };
    });
    if (settled === null) return this.logger.debug(`duplicate ${envelope.type} ${envelope.id} skipped`);
    if (settled.late) return this.reportLate(orderId, settled.late);
    if (!confirmed) this.metrics.holdsReleased.inc({ reason: 'cancelled' }, settled.moved);
    if (settled.moved === 0) {
      // Cancelled before or without a reservation (e.g. checkout failed after reserving nothing).
      this.logger.log(`order ${orderId} cancelled: no HELD reservation to release`);
    } else {
      this.logger.log(`order ${orderId} ${confirmed ? 'committed' : 'released'}: ${settled.moved} line(s)`);
    }
  }

  private reportLate(orderId: string, late: LateSale): void {
    if ('short' in late) {
      // Paid, but the units went to someone else after the hold expired: nothing is oversold; the
      // order needs a refund, which this platform does not automate yet (see docs/saga.md).
      this.metrics.lateConfirmations.inc({ outcome: 'short' });
      const { sku, quantity, available } = late.short;
      this.logger.error(
        `order ${orderId} confirmed after its hold expired and ${sku} is short (${available} left, ${quantity} needed): not sold, needs a refund`,
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
