import { Inject, Injectable, Logger } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed } from '@sdp/contracts';
import { Consumers, NonRetryableError, type EventEnvelope } from '@sdp/messaging';
import { claimEvent } from '@sdp/outbox';
import { DataSource } from 'typeorm';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config';
import { InventoryMetrics } from '../inventory.metrics';
import { StockRepository } from '../stock/stock.repository';

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
    const moved = await this.dataSource.transaction(async (manager) => {
      if (!(await claimEvent(manager, this.config.DB_SCHEMA, CONSUMER, envelope.id))) return null;
      return this.stock.settleOrder(
        manager,
        orderId,
        confirmed ? 'COMMITTED' : 'RELEASED',
        envelope.requestId,
      );
    });
    if (moved === null) return this.logger.debug(`duplicate ${envelope.type} ${envelope.id} skipped`);
    if (!confirmed) this.metrics.holdsReleased.inc({ reason: 'cancelled' }, moved);
    if (moved === 0 && confirmed) {
      // Paid after the hold expired and the sweeper released it: the sale is not backed by a hold.
      this.metrics.lateConfirmations.inc();
      this.logger.warn(`order ${orderId} confirmed but no HELD reservation was left to commit`);
    } else if (moved === 0) {
      // Cancelled before or without a reservation (e.g. checkout failed after reserving nothing).
      this.logger.log(`order ${orderId} cancelled: no HELD reservation to release`);
    } else {
      this.logger.log(`order ${orderId} ${confirmed ? 'committed' : 'released'}: ${moved} line(s)`);
    }
  }
}
