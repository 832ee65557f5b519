import { Inject, Injectable, Logger } from '@nestjs/common';
import { OrderPlaced, type OrderLine } from '@sdp/contracts';
import type { Identity } from '@sdp/identity';
import { appendToOutbox } from '@sdp/outbox';
import { DataSource } from 'typeorm';
import { CartService } from '../cart/cart.service';
import type { CartLine } from '../cart/dto/cart.dto';
import { CatalogClient } from '../clients/catalog.client';
import { InventoryClient } from '../clients/inventory.client';
import { ORDERS_CONFIG, type OrdersConfig } from '../config';
import { OrdersMetrics, type CheckoutOutcome as CheckoutMetric } from '../orders/orders.metrics';
import { OrdersRepository } from '../orders/orders.repository';
import {
  EmptyCartError,
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  type CheckoutOutcome,
  type CheckoutRefusal,
  type FinalOutcome,
} from './checkout.outcomes';
import type { CheckoutAccepted, CheckoutDto } from './dto/checkout.dto';
import { orderIdFor, requestHash } from './idempotency-key';
import { IdempotencyRepository } from './idempotency.repository';

interface Attempt {
  caller: Identity;
  /** The Idempotency-Key, validated by the controller. */
  key: string;
  requestId: string;
}

const refusalMetric: Record<CheckoutRefusal['kind'], CheckoutMetric> = {
  UnknownSku: 'invalid',
  NoStockRecord: 'invalid',
  OutOfStock: 'out_of_stock',
  HoldSpent: 'conflict',
};

/**
 * The checkout use case: the first step of the order saga (see docs/saga.md).
 * claim the idempotency key → hold the stock (inventory) → price the lines (catalog) → write the
 * order, its lines, the order.placed outbox row and the key's answer in ONE transaction → accepted.
 * Answers with a CheckoutOutcome or throws the errors of checkout.outcomes.ts and the clients';
 * checkout-answers.ts turns both into HTTP.
 */
@Injectable()
export class CheckoutService {
  private readonly logger = new Logger(CheckoutService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: IdempotencyRepository,
    private readonly orders: OrdersRepository,
    private readonly cart: CartService,
    private readonly catalog: CatalogClient,
    private readonly inventory: InventoryClient,
    private readonly metrics: OrdersMetrics,
    @Inject(ORDERS_CONFIG) private readonly config: OrdersConfig,
  ) {}

  async checkout(
    caller: Identity,
    key: string,
    body: CheckoutDto,
    requestId: string,
  ): Promise<CheckoutOutcome> {
    const startedAt = process.hrtime.bigint();
    const claim = await this.keys.claim(caller.userId, key, requestHash(body));
    switch (claim.kind) {
      case 'replay':
        this.metrics.checkout('replayed', startedAt);
        return { kind: 'Replayed', statusCode: claim.statusCode, body: claim.body };
      case 'in_progress':
        this.metrics.checkout('conflict', startedAt);
        throw new IdempotencyKeyInProgressError();
      case 'mismatch':
        this.metrics.checkout('conflict', startedAt);
        throw new IdempotencyKeyReusedError();
      case 'claimed':
        break;
    }

    const attempt: Attempt = { caller, key, requestId };
    try {
      const outcome = await this.place(attempt, body);
      this.metrics.checkout(
        outcome.kind === 'Accepted' ? 'accepted' : refusalMetric[outcome.refusal.kind],
        startedAt,
      );
      return outcome;
    } catch (error) {
      // Nothing final was decided: forget the attempt so the client can retry with the same key.
      await this.keys
        .release(caller.userId, key)
        .catch((e: unknown) => this.logger.error(`could not release idempotency key: ${String(e)}`));
      this.metrics.checkout(error instanceof EmptyCartError ? 'invalid' : 'error', startedAt);
      throw error;
    }
  }

  private async place(attempt: Attempt, body: CheckoutDto): Promise<FinalOutcome> {
    const { caller, requestId } = attempt;
    const fromCart = !body.items;
    const lines: CartLine[] = body.items
      ? body.items.map(({ sku, quantity }) => ({ sku, quantity }))
      : await this.cart.lines(caller.userId);
    if (lines.length === 0) throw new EmptyCartError();

    // Hold first, price second: in a flash sale almost every checkout is refused for stock, and
    // those never cost a catalog call. A hold whose pricing then fails is not undone here: it expires.
    const orderId = orderIdFor(caller.userId, attempt.key, lines);
    const reservation = await this.inventory.reserve(
      { orderId, items: lines.map(({ sku, quantity }) => ({ sku, quantity })) },
      requestId,
    );
    switch (reservation.kind) {
      case 'held': {
        const { status } = reservation.reservation;
        // An earlier attempt with this key took the hold, and it has since expired (or the key is
        // being reused long after): that order id is spent, so this key cannot place an order.
        if (status !== 'HELD') return this.refuse(attempt, { kind: 'HoldSpent', status });
        break;
      }
      case 'out_of_stock': {
        const { sku, available, message } = reservation;
        return this.refuse(attempt, { kind: 'OutOfStock', sku, available, detail: message });
      }
      case 'unknown_sku':
        return this.refuse(attempt, { kind: 'NoStockRecord', detail: reservation.message });
    }

    const prices = await this.catalog.prices(
      lines.map((l) => l.sku),
      requestId,
    );
    const unknown = lines.filter((l) => !prices.has(l.sku)).map((l) => l.sku);
    if (unknown.length > 0) return this.refuse(attempt, { kind: 'UnknownSku', skus: unknown });
    const items: OrderLine[] = lines.map((l) => ({ ...l, priceCents: prices.get(l.sku)! }));
    const totalCents = items.reduce((sum, l) => sum + l.priceCents * l.quantity, 0);

    // The stock is held. If this transaction fails now, no order exists and the key is released;
    // the hold is not undone here but expires: inventory's sweeper releases holds past their TTL.
    const order: CheckoutAccepted = { orderId, status: 'PENDING_PAYMENT' };
    const accepted: FinalOutcome = { kind: 'Accepted', order };
    await this.dataSource.transaction(async (manager) => {
      await this.orders.insert(manager, { id: orderId, userId: caller.userId, items, totalCents });
      const event = OrderPlaced.create(
        orderId,
        { orderId, userId: caller.userId, items, totalCents },
        requestId,
      );
      await appendToOutbox(manager, this.config.DB_SCHEMA, OrderPlaced.type, event);
      await this.keys.complete(caller.userId, attempt.key, accepted, requestId, manager);
    });
    this.metrics.transitions.inc({ from: 'NEW', to: 'PENDING_PAYMENT' });

    if (fromCart) {
      // The order is committed; a cart that keeps its lines (Redis blip) is an annoyance, not an error.
      await this.cart
        .removeOrdered(
          caller.userId,
          lines.map((l) => l.sku),
        )
        .catch((e: unknown) =>
          this.logger.warn(`order ${orderId} placed but cart not cleared: ${String(e)}`),
        );
    }
    return accepted;
  }

  /** A final refusal for this key: stored, so a retry with the same key and body gets it again. */
  private async refuse(attempt: Attempt, refusal: CheckoutRefusal): Promise<FinalOutcome> {
    const outcome: FinalOutcome = { kind: 'Refused', refusal };
    await this.keys.complete(attempt.caller.userId, attempt.key, outcome, attempt.requestId);
    return outcome;
  }
}
