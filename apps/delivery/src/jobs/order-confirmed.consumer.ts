import { Inject, Injectable, Logger } from '@nestjs/common';
import { OrderConfirmed } from '@sdp/contracts';
import { ConsumeEvents, type ConsumedEvent } from '@sdp/messaging';
import { Inbox } from '@sdp/outbox';
import { consumerGroups } from '@sdp/topology';
import { DataSource } from 'typeorm';
import { DELIVERY_CONFIG, type DeliveryConfig } from '../config';
import { DeliveryMetrics } from '../delivery.metrics';

/**
 * A confirmed order needs a courier: order.confirmed becomes a WAITING delivery job. Idempotent twice
 * over: the inbox claim and the job commit together, and the job is UNIQUE per order.
 */
@Injectable()
export class OrderConfirmedConsumer {
  private readonly logger = new Logger(OrderConfirmedConsumer.name);
  private readonly inbox: Inbox;
  private readonly schema: string;

  constructor(
    dataSource: DataSource,
    private readonly metrics: DeliveryMetrics,
    @Inject(DELIVERY_CONFIG) config: DeliveryConfig,
  ) {
    this.schema = config.DB_SCHEMA;
    this.inbox = new Inbox(dataSource, config.DB_SCHEMA, 'delivery.order-confirmed');
  }

  @ConsumeEvents({ group: consumerGroups.delivery.orderConfirmed, events: [OrderConfirmed] })
  async handle(envelope: ConsumedEvent<typeof OrderConfirmed>): Promise<void> {
    const { orderId, userId } = envelope.data;
    const created = await this.inbox.once(envelope.id, async (manager) => {
      const rows: unknown[] = await manager.query(
        `INSERT INTO "${this.schema}".delivery_jobs (order_id, user_id) VALUES ($1, $2)
         ON CONFLICT (order_id) DO NOTHING RETURNING id`,
        [orderId, userId],
      );
      return rows.length === 1;
    });
    if (created === 'duplicate' || !created) {
      // A redelivery, or the order was cancelled first (its tombstone holds the order id).
      this.logger.debug(`order ${orderId}: delivery job already exists or cancelled (nothing created)`);
      return;
    }
    this.metrics.jobsCreated.inc();
    this.logger.log(`order ${orderId}: delivery job waiting for a courier`);
  }
}
