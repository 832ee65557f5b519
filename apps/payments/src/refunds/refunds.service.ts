import { Injectable, Logger } from '@nestjs/common';
import { OrderCancelled, PaymentRefunded } from '@sdp/contracts';
import { ConsumeEvents, type ConsumedEvent, NonRetryableError } from '@sdp/messaging';
import { MetricsService } from '@sdp/observability';
import { consumerGroups } from '@sdp/topology';
import { callProvider } from '../psp/call-provider';
import { IdempotencyConflictError, PaymentProvider, RefundRejectedError } from '../psp/payment-provider';
import { type Refund, RefundsRepository } from './refunds.repository';

type Counter = ReturnType<MetricsService['counter']>;

/** The provider idempotency key of an order's refund: one refund per order, whoever asks how often. */
export const refundKey = (orderId: string): string => `refund-${orderId}`;

/**
 * Refunds a cancelled order that was paid (the saga's compensation for a payment that outlived its
 * stock hold), exactly once although order.cancelled may arrive more than once. Same three steps as
 * a charge: (1) inbox claim + `refunds` row (pending, UNIQUE per payment) in one transaction; (2) the
 * provider's refund with key `refund-<orderId>`, timeouts retried with that same key; (3) refund →
 * succeeded + payment.refunded in the outbox, only if still pending. A cancelled order without a
 * succeeded payment (the charge failed) has nothing to refund.
 */
@Injectable()
export class RefundsService {
  private readonly logger = new Logger(RefundsService.name);
  private readonly refunds: Counter;
  private readonly providerTimeouts: Counter;

  constructor(
    metrics: MetricsService,
    private readonly repository: RefundsRepository,
    private readonly provider: PaymentProvider,
  ) {
    this.refunds = metrics.counter(
      'payments_refunds_total',
      'order.cancelled deliveries by outcome: refunded, duplicate (already refunded), not_paid (nothing to refund).',
      ['outcome'],
    );
    this.providerTimeouts = metrics.counter(
      'psp_timeouts_total',
      'Payment provider calls that got no answer in time (retried with the same idempotency key).',
    );
  }

  /** A group of its own: refunds must not queue behind a slow charge, nor charges behind refunds. */
  @ConsumeEvents({ group: consumerGroups.payments.refunds, events: [OrderCancelled] })
  async handleOrderCancelled(envelope: ConsumedEvent<typeof OrderCancelled>): Promise<void> {
    const { orderId, userId, reason } = envelope.data;

    const opened = await this.repository.open(envelope.id, orderId, reason);
    if (opened.refund === null) {
      this.refunds.inc({ outcome: 'not_paid' });
      this.logger.log(`order ${orderId} cancelled, payment ${opened.payment}: nothing to refund`);
      return;
    }
    const { refund } = opened;
    if (refund.status === 'succeeded') {
      this.refunds.inc({ outcome: 'duplicate' });
      this.logger.log(`order ${orderId} already refunded: duplicate delivery skipped`);
      return;
    }
    if (!opened.firstDelivery) {
      this.logger.warn(
        `order ${orderId}: refund redelivered while pending, asking the provider again (same key)`,
      );
    }

    const calls = await this.refundOnce(refund);
    const event = PaymentRefunded.create(
      orderId,
      {
        orderId,
        userId,
        paymentId: refund.paymentId,
        refundId: refund.id,
        amountCents: refund.amountCents,
        reason,
      },
      envelope.requestId,
    );
    if (await this.repository.settle(refund, calls, event)) {
      this.refunds.inc({ outcome: 'refunded' });
      this.logger.log(`order ${orderId}: ${refund.amountCents} cents refunded`);
    } else {
      this.refunds.inc({ outcome: 'duplicate' }); // a concurrent delivery settled it first
    }
  }

  /** Refunds with the order's refund key; timeouts are retried with that key. Returns the calls made. */
  private async refundOnce(refund: Refund): Promise<number> {
    const request = async (): Promise<void> => {
      try {
        await this.provider.refund({
          idempotencyKey: refundKey(refund.orderId),
          chargeKey: refund.orderId,
          amountCents: refund.amountCents,
        });
      } catch (error) {
        if (error instanceof IdempotencyConflictError || error instanceof RefundRejectedError) {
          throw new NonRetryableError(error.message); // a human looks at it in order.cancelled.dlq
        }
        throw error;
      }
    };
    const { calls } = await callProvider(request, {
      onTimeout: (error) => {
        this.providerTimeouts.inc();
        this.logger.warn(`order ${refund.orderId}: ${error.message}; retrying the refund with the same key`);
      },
      onGiveUp: (calls) => this.repository.addAttempts(refund.id, calls),
    });
    return calls;
  }
}
