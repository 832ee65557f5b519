import {
  BadGatewayException,
  BadRequestException,
  ConflictException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { OrderPlaced, type OrderLine } from '@sdp/contracts';
import type { Identity } from '@sdp/identity';
import { appendToOutbox } from '@sdp/outbox';
import { DataSource } from 'typeorm';
import { CartService } from '../cart/cart.service';
import type { CartLine } from '../cart/dto/cart.dto';
import { CatalogClient } from '../clients/catalog.client';
import { InventoryClient } from '../clients/inventory.client';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../clients/service-client';
import { ORDERS_CONFIG, type OrdersConfig } from '../config';
import { OrdersMetrics, type CheckoutOutcome } from '../orders/orders.metrics';
import { OrdersRepository } from '../orders/orders.repository';
import type { CheckoutAccepted, CheckoutDto } from './dto/checkout.dto';
import { orderIdFor, parseIdempotencyKey, requestHash } from './idempotency-key';
import { IdempotencyRepository } from './idempotency.repository';

/** What the controller sends: a status and a body, maybe replayed from an earlier attempt. */
export interface CheckoutResult {
  statusCode: number;
  body: CheckoutAccepted | StoredError;
  replayed: boolean;
}

/** A final refusal stored under the key, in the one error shape (plus the SKU when out of stock). */
interface StoredError {
  statusCode: number;
  error: string;
  message: string;
  requestId: string;
  sku?: string;
  available?: number;
}

interface Attempt {
  caller: Identity;
  key: string;
  requestId: string;
}

/**
 * The checkout use case: the first step of the order saga (see docs/saga.md).
 * claim the idempotency key → price the lines (catalog) → hold the stock (inventory) → write the
 * order, its lines, the order.placed outbox row and the key's answer in ONE transaction → 202.
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
    rawKey: string | string[] | undefined,
    body: CheckoutDto,
    requestId: string,
  ): Promise<CheckoutResult> {
    const startedAt = process.hrtime.bigint();
    const key = parseIdempotencyKey(rawKey);
    const claim = await this.keys.claim(caller.userId, key, requestHash(body));
    switch (claim.kind) {
      case 'replay':
        this.metrics.checkout('replayed', startedAt);
        return { statusCode: claim.statusCode, body: claim.body as CheckoutResult['body'], replayed: true };
      case 'in_progress':
        this.metrics.checkout('conflict', startedAt);
        throw new ConflictException('a request with this Idempotency-Key is in progress; retry shortly');
      case 'mismatch':
        this.metrics.checkout('conflict', startedAt);
        throw new UnprocessableEntityException('Idempotency-Key reused with a different body');
      case 'claimed':
        break;
    }

    const attempt: Attempt = { caller, key, requestId };
    try {
      const { result, outcome } = await this.place(attempt, body);
      this.metrics.checkout(outcome, startedAt);
      return result;
    } catch (error) {
      // Nothing final was decided: forget the attempt so the client can retry with the same key.
      await this.keys
        .release(caller.userId, key)
        .catch((e: unknown) => this.logger.error(`could not release idempotency key: ${String(e)}`));
      const outcome: CheckoutOutcome =
        error instanceof HttpException && error.getStatus() < 500 ? 'invalid' : 'error';
      this.metrics.checkout(outcome, startedAt);
      throw toHttpError(error);
    }
  }

  private async place(
    attempt: Attempt,
    body: CheckoutDto,
  ): Promise<{ result: CheckoutResult; outcome: CheckoutOutcome }> {
    const { caller, requestId } = attempt;
    const fromCart = !body.items;
    const lines: CartLine[] = body.items
      ? body.items.map(({ sku, quantity }) => ({ sku, quantity }))
      : await this.cart.lines(caller.userId);
    if (lines.length === 0) throw new BadRequestException('cart is empty');

    const prices = await this.catalog.prices(
      lines.map((l) => l.sku),
      requestId,
    );
    const unknown = lines.filter((l) => !prices.has(l.sku)).map((l) => l.sku);
    if (unknown.length > 0) {
      const refusal = this.refusal(422, `unknown SKU: ${unknown.join(', ')}`, requestId);
      return { result: await this.finish(attempt, refusal), outcome: 'invalid' };
    }
    const items: OrderLine[] = lines.map((l) => ({ ...l, priceCents: prices.get(l.sku)! }));
    const totalCents = items.reduce((sum, l) => sum + l.priceCents * l.quantity, 0);

    const orderId = orderIdFor(caller.userId, attempt.key, lines);
    const reservation = await this.inventory.reserve(
      { orderId, items: lines.map(({ sku, quantity }) => ({ sku, quantity })) },
      requestId,
    );
    if (reservation.kind === 'held' && reservation.reservation.status !== 'HELD') {
      // An earlier attempt with this key took the hold, and it has since expired (or the key is
      // being reused long after): that order id is spent, so this key cannot place an order.
      const refusal = this.refusal(
        409,
        `the stock held by an earlier attempt with this Idempotency-Key was ${reservation.reservation.status.toLowerCase()}; retry with a new Idempotency-Key`,
        requestId,
      );
      return { result: await this.finish(attempt, refusal), outcome: 'conflict' };
    }
    if (reservation.kind === 'out_of_stock') {
      const refusal = this.refusal(
        409,
        `out of stock: ${reservation.sku} (${reservation.message})`,
        requestId,
        {
          sku: reservation.sku,
          available: reservation.available,
        },
      );
      return { result: await this.finish(attempt, refusal), outcome: 'out_of_stock' };
    }
    if (reservation.kind === 'unknown_sku') {
      const refusal = this.refusal(422, `inventory: ${reservation.message}`, requestId);
      return { result: await this.finish(attempt, refusal), outcome: 'invalid' };
    }

    // The stock is held. If this transaction fails now, no order exists and the key is released;
    // the hold is not undone here but expires: inventory's sweeper releases holds past their TTL.
    const accepted: CheckoutAccepted = { orderId, status: 'PENDING_PAYMENT' };
    await this.dataSource.transaction(async (manager) => {
      await this.orders.insert(manager, { id: orderId, userId: caller.userId, items, totalCents });
      const event = OrderPlaced.create(
        orderId,
        { orderId, userId: caller.userId, items, totalCents },
        requestId,
      );
      await appendToOutbox(manager, this.config.DB_SCHEMA, OrderPlaced.type, event);
      await this.keys.complete(caller.userId, attempt.key, 202, accepted, manager);
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
    return { result: { statusCode: 202, body: accepted, replayed: false }, outcome: 'accepted' };
  }

  /** A final answer for this key: stored, so a retry with the same key and body gets it again. */
  private async finish(attempt: Attempt, refusal: StoredError): Promise<CheckoutResult> {
    await this.keys.complete(attempt.caller.userId, attempt.key, refusal.statusCode, refusal);
    return { statusCode: refusal.statusCode, body: refusal, replayed: false };
  }

  private refusal(
    statusCode: 409 | 422,
    message: string,
    requestId: string,
    extra: Pick<StoredError, 'sku' | 'available'> = {},
  ): StoredError {
    const error = statusCode === 409 ? 'Conflict' : 'Unprocessable Entity';
    return { statusCode, error, message, requestId, ...extra };
  }
}

function toHttpError(error: unknown): unknown {
  if (error instanceof UpstreamUnavailableError) {
    return new ServiceUnavailableException(`${error.message}; retry with the same Idempotency-Key`);
  }
  if (error instanceof UpstreamRejectedError) return new BadGatewayException(error.message);
  return error;
}
