import { Injectable, Logger } from '@nestjs/common';
import { OrderPlaced, PaymentFailed, PaymentSucceeded } from '@sdp/contracts';
import { ConsumeEvents, type ConsumedEvent, NonRetryableError } from '@sdp/messaging';
import { MetricsService } from '@sdp/observability';
import { consumerGroups } from '@sdp/topology';
import {
  type ChargeResult,
  IdempotencyConflictError,
  PaymentProvider,
  ProviderTimeoutError,
} from '../psp/payment-provider';
import { callProvider } from '../psp/call-provider';
import { type Payment, PaymentsRepository } from './payments.repository';

type Counter = ReturnType<MetricsService['counter']>;
type Histogram = ReturnType<MetricsService['histogram']>;

/**
 * Turns each order.placed into exactly one charge and one result event, although Kafka delivers
 * at least once and the provider can time out after charging:
 *
 * 1. One transaction: inbox claim + `payments` row (pending) with UNIQUE(order_id). A payment that is
 *    already final means this is a duplicate delivery: stop.
 * 2. Call the provider with idempotency key = order id. On a timeout, retry with the SAME key: the
 *    provider answers from its ledger instead of charging again.
 * 3. One transaction: payment → succeeded|failed (only if still pending) + the result event in the outbox.
 *
 * Crash window: if the process dies between 2 and 3, the offset is not committed, Kafka redelivers,
 * step 1 finds the payment still pending, and step 2 re-asks the provider with the same key and
 * gets the same answer. The inbox alone could not cover this (it would skip the redelivery), which
 * is why a pending payment is resumed even when its event id was already claimed.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);
  private readonly payments: Counter;
  private readonly providerLatency: Histogram;
  private readonly providerTimeouts: Counter;
  private readonly duplicates: Counter;

  constructor(
    metrics: MetricsService,
    private readonly repository: PaymentsRepository,
    private readonly provider: PaymentProvider,
  ) {
    this.payments = metrics.counter('payments_total', 'Payments settled, by outcome.', ['outcome']);
    this.providerLatency = metrics.histogram(
      'psp_request_duration_seconds',
      'Payment provider call latency, by result (approved, declined, timeout, error).',
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ['result'],
    );
    this.providerTimeouts = metrics.counter(
      'psp_timeouts_total',
      'Payment provider calls that got no answer in time (retried with the same idempotency key).',
    );
    this.duplicates = metrics.counter(
      'payments_duplicate_deliveries_total',
      'order.placed deliveries skipped because the order already had a final payment.',
    );
  }

  /**
   * A brand-new group starts at the oldest retained order.placed, not "now" (every declared consumer
   * does): orders placed before payments first came up must still be charged.
   */
  @ConsumeEvents({ group: consumerGroups.payments.charges, events: [OrderPlaced] })
  async handleOrderPlaced(envelope: ConsumedEvent<typeof OrderPlaced>): Promise<void> {
    const { orderId, totalCents } = envelope.data;

    const { firstDelivery, payment } = await this.repository.open(envelope.id, orderId, totalCents);
    if (payment.status !== 'pending') {
      this.duplicates.inc();
      this.logger.log(`order ${orderId} already ${payment.status}: duplicate delivery skipped`);
      return;
    }
    if (!firstDelivery) {
      this.logger.warn(`order ${orderId}: redelivered while pending, asking the provider again (same key)`);
    }

    const { result, calls } = await this.chargeOnce(payment);
    const event =
      result.outcome === 'approved'
        ? PaymentSucceeded.create(
            orderId,
            { orderId, paymentId: payment.id, amountCents: payment.amountCents },
            envelope.requestId,
          )
        : PaymentFailed.create(
            orderId,
            { orderId, paymentId: payment.id, reason: result.declineReason ?? 'declined' },
            envelope.requestId,
          );
    const status = result.outcome === 'approved' ? 'succeeded' : 'failed';
    const settled = await this.repository.settle(
      payment,
      { status, failureReason: result.declineReason, providerCalls: calls },
      event,
    );
    if (settled) {
      this.payments.inc({ outcome: status });
      this.logger.log(`order ${orderId}: payment ${status}${result.replayed ? ' (provider replayed)' : ''}`);
    } else {
      this.duplicates.inc(); // a concurrent delivery settled it first; the provider gave both the same answer
    }
  }

  /** Charges with the order id as idempotency key; timeouts are retried with that key. */
  private async chargeOnce(payment: Payment): Promise<{ result: ChargeResult; calls: number }> {
    const charge = async (): Promise<ChargeResult> => {
      const timer = this.providerLatency.startTimer();
      try {
        const result = await this.provider.charge({
          idempotencyKey: payment.orderId,
          amountCents: payment.amountCents,
        });
        timer({ result: result.outcome });
        return result;
      } catch (error) {
        timer({ result: error instanceof ProviderTimeoutError ? 'timeout' : 'error' });
        if (error instanceof IdempotencyConflictError) throw new NonRetryableError(error.message);
        throw error;
      }
    };
    return callProvider(charge, {
      onTimeout: (error) => {
        this.providerTimeouts.inc();
        this.logger.warn(`order ${payment.orderId}: ${error.message}; retrying with the same key`);
      },
      onGiveUp: (calls) => this.repository.addAttempts(payment.id, calls),
    });
  }
}
