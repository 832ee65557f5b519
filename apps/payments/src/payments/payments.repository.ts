import { Inject, Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@sdp/messaging';
import { appendToOutbox, claimEvent } from '@sdp/outbox';
import { DataSource } from 'typeorm';
import { PAYMENTS_CONFIG, type PaymentsConfig } from '../config';

export type PaymentStatus = 'pending' | 'succeeded' | 'failed';

export interface Payment {
  id: string;
  orderId: string;
  amountCents: number;
  status: PaymentStatus;
  attempts: number;
}

interface PaymentRow {
  id: string;
  order_id: string;
  amount_cents: string;
  status: PaymentStatus;
  attempts: number;
}

const toPayment = (row: PaymentRow): Payment => ({
  id: row.id,
  orderId: row.order_id,
  amountCents: Number(row.amount_cents),
  status: row.status,
  attempts: row.attempts,
});

/** The inbox consumer name for order.placed (processed_messages.consumer). */
export const ORDER_PLACED_CONSUMER = 'payments.order-placed';

@Injectable()
export class PaymentsRepository {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(PAYMENTS_CONFIG) config: PaymentsConfig,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  /**
   * Records the event in the inbox and the order's payment (pending) in one transaction; returns the
   * payment as it stands (possibly created by an earlier delivery) and whether this event id is new.
   */
  async open(
    eventId: string,
    orderId: string,
    amountCents: number,
  ): Promise<{ firstDelivery: boolean; payment: Payment }> {
    return this.dataSource.transaction(async (manager) => {
      const firstDelivery = await claimEvent(manager, this.schema, ORDER_PLACED_CONSUMER, eventId);
      await manager.query(
        `INSERT INTO "${this.schema}".payments (order_id, amount_cents) VALUES ($1, $2)
         ON CONFLICT (order_id) DO NOTHING`,
        [orderId, amountCents],
      );
      const rows: PaymentRow[] = await manager.query(
        `SELECT id, order_id, amount_cents, status, attempts FROM "${this.schema}".payments WHERE order_id = $1`,
        [orderId],
      );
      return { firstDelivery, payment: toPayment(rows[0]) };
    });
  }

  /**
   * Moves a pending payment to its final status and outboxes the result event, together. Returns
   * false (and writes nothing) when the payment was already final: another delivery settled it.
   */
  async settle(
    payment: Payment,
    result: { status: 'succeeded' | 'failed'; failureReason?: string; providerCalls: number },
    event: EventEnvelope,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [rows]: [PaymentRow[], number] = await manager.query(
        `UPDATE "${this.schema}".payments
         SET status = $2, failure_reason = $3, attempts = attempts + $4, updated_at = now()
         WHERE id = $1 AND status = 'pending' RETURNING id`,
        [payment.id, result.status, result.failureReason ?? null, result.providerCalls],
      );
      if (rows.length === 0) return false;
      await appendToOutbox(manager, this.schema, event.type, event);
      return true;
    });
  }

  /** Counts provider calls that got no answer (the payment stays pending for the next delivery). */
  async addAttempts(paymentId: string, providerCalls: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE "${this.schema}".payments SET attempts = attempts + $2, updated_at = now() WHERE id = $1`,
      [paymentId, providerCalls],
    );
  }
}
