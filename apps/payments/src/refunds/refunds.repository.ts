import { Inject, Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@sdp/messaging';
import { appendToOutbox, claimEvent } from '@sdp/outbox';
import { DataSource } from 'typeorm';
import { PAYMENTS_CONFIG, type PaymentsConfig } from '../config';
import type { PaymentStatus } from '../payments/payments.repository';

export interface Refund {
  id: string;
  paymentId: string;
  orderId: string;
  amountCents: number;
  status: 'pending' | 'succeeded';
}

interface RefundRow {
  id: string;
  payment_id: string;
  order_id: string;
  amount_cents: string;
  status: Refund['status'];
}

const toRefund = (row: RefundRow): Refund => ({
  id: row.id,
  paymentId: row.payment_id,
  orderId: row.order_id,
  amountCents: Number(row.amount_cents),
  status: row.status,
});

/** The inbox consumer name for order.cancelled (processed_messages.consumer). */
export const ORDER_CANCELLED_CONSUMER = 'payments.order-cancelled';

/** What a cancellation finds: the refund to make (new or resumed), or why there is none. */
export type RefundToMake =
  | { firstDelivery: boolean; refund: Refund }
  | { firstDelivery: boolean; refund: null; payment: PaymentStatus | 'none' };

@Injectable()
export class RefundsRepository {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(PAYMENTS_CONFIG) config: PaymentsConfig,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  /**
   * Records the event in the inbox and, when the order has a succeeded payment, its refund (pending)
   * in one transaction; UNIQUE(payment_id) keeps it to one refund however often the order is cancelled.
   */
  async open(eventId: string, orderId: string, reason: string): Promise<RefundToMake> {
    return this.dataSource.transaction(async (manager) => {
      const firstDelivery = await claimEvent(manager, this.schema, ORDER_CANCELLED_CONSUMER, eventId);
      const payments: { id: string; status: PaymentStatus }[] = await manager.query(
        `SELECT id, status FROM "${this.schema}".payments WHERE order_id = $1`,
        [orderId],
      );
      const payment = payments[0];
      if (payment?.status !== 'succeeded') {
        return { firstDelivery, refund: null, payment: payment?.status ?? 'none' };
      }
      await manager.query(
        `INSERT INTO "${this.schema}".refunds (payment_id, order_id, amount_cents, reason)
         SELECT id, order_id, amount_cents, $2 FROM "${this.schema}".payments WHERE id = $1
         ON CONFLICT (payment_id) DO NOTHING`,
        [payment.id, reason],
      );
      const rows: RefundRow[] = await manager.query(
        `SELECT id, payment_id, order_id, amount_cents, status FROM "${this.schema}".refunds WHERE payment_id = $1`,
        [payment.id],
      );
      return { firstDelivery, refund: toRefund(rows[0]) };
    });
  }

  /**
   * Marks a pending refund succeeded and outboxes payment.refunded, together. Returns false (and
   * writes nothing) when it was already succeeded: another delivery settled it.
   */
  async settle(refund: Refund, providerCalls: number, event: EventEnvelope): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [rows]: [RefundRow[], number] = await manager.query(
        `UPDATE "${this.schema}".refunds SET status = 'succeeded', attempts = attempts + $2, updated_at = now()
         WHERE id = $1 AND status = 'pending' RETURNING id`,
        [refund.id, providerCalls],
      );
      if (rows.length === 0) return false;
      await appendToOutbox(manager, this.schema, event.type, event);
      return true;
    });
  }

  /** Counts provider calls that got no answer (the refund stays pending for the next delivery). */
  async addAttempts(refundId: string, providerCalls: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE "${this.schema}".refunds SET attempts = attempts + $2, updated_at = now() WHERE id = $1`,
      [refundId, providerCalls],
    );
  }
}
