import { UpstreamRejectedError, UpstreamUnavailableError } from '../clients/service-client';
import { answerFor, errorAnswerFor } from './checkout-answers';
import {
  EmptyCartError,
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  type CheckoutRefusal,
} from './checkout.outcomes';

describe(answerFor.name, () => {
  it('answers an accepted checkout 202 with the order', () => {
    const order = { orderId: 'o-1', status: 'PENDING_PAYMENT' } as const;
    expect(answerFor({ kind: 'Accepted', order }, 'req-1')).toEqual({ statusCode: 202, body: order });
  });

  // Stored under the Idempotency-Key and sent again to retries: the bytes must stay what they were.
  it.each<[CheckoutRefusal, string]>([
    [
      { kind: 'OutOfStock', sku: 'SKU-LOW', available: 1, detail: 'out of stock: SKU-LOW: only 1 available' },
      '{"statusCode":409,"error":"Conflict","message":"out of stock: SKU-LOW (out of stock: SKU-LOW: only 1 available)","requestId":"req-1","sku":"SKU-LOW","available":1}',
    ],
    [
      { kind: 'UnknownSku', skus: ['SKU-1', 'SKU-2'] },
      '{"statusCode":422,"error":"Unprocessable Entity","message":"unknown SKU: SKU-1, SKU-2","requestId":"req-1"}',
    ],
    [
      { kind: 'NoStockRecord', detail: 'unknown SKU: SKU-NOINV' },
      '{"statusCode":422,"error":"Unprocessable Entity","message":"inventory: unknown SKU: SKU-NOINV","requestId":"req-1"}',
    ],
    [
      { kind: 'HoldSpent', status: 'RELEASED' },
      '{"statusCode":409,"error":"Conflict","message":"the stock held by an earlier attempt with this Idempotency-Key was released; retry with a new Idempotency-Key","requestId":"req-1"}',
    ],
  ])('stores and sends %j as it always has', (refusal, json) => {
    const answer = answerFor({ kind: 'Refused', refusal }, 'req-1');
    expect(JSON.stringify(answer.body)).toBe(json);
    expect(answer.statusCode).toBe(JSON.parse(json).statusCode);
  });
});

describe(errorAnswerFor.name, () => {
  it.each([
    [new EmptyCartError(), 400, 'cart is empty'],
    [
      new IdempotencyKeyInProgressError(),
      409,
      'a request with this Idempotency-Key is in progress; retry shortly',
    ],
    [new IdempotencyKeyReusedError(), 422, 'Idempotency-Key reused with a different body'],
    [
      new UpstreamUnavailableError('inventory', 'inventory answered 503: busy'),
      503,
      'inventory answered 503: busy; retry with the same Idempotency-Key',
    ],
    [
      new UpstreamRejectedError('catalog', 400, 'catalog refused the price lookup (400)'),
      502,
      'catalog refused the price lookup (400)',
    ],
  ])('answers %s with %i', (error, statusCode, message) => {
    expect(errorAnswerFor(error)).toEqual({ statusCode, message });
  });
});
