import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { errorBody, replyWithError, type ErrorAnswer } from '@sdp/bootstrap';
import type { ErrorBody } from '@sdp/observability';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../clients/service-client';
import {
  EmptyCartError,
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  type CheckoutRefusal,
  type FinalOutcome,
} from './checkout.outcomes';
import type { CheckoutAccepted } from './dto/checkout.dto';

// Checkout's one place where outcomes become HTTP: the answer the controller sends and the
// Idempotency-Key stores (a retry is sent the stored answer as it is, so this must not change the
// body of an answer already given), and the errors that leave no answer stored.

/** A refusal in the one error body, plus the SKU and what is left when out of stock. */
export type RefusalBody = ErrorBody & { sku?: string; available?: number };

export interface CheckoutAnswer {
  statusCode: number;
  body: CheckoutAccepted | RefusalBody;
}

/** 202 with the order, or the refusal's status in the one error body. */
export function answerFor(outcome: FinalOutcome, requestId: string): CheckoutAnswer {
  if (outcome.kind === 'Accepted') return { statusCode: 202, body: outcome.order };
  const { statusCode, message, extra } = refusalAnswer(outcome.refusal);
  return { statusCode, body: errorBody(statusCode, message, requestId, extra) };
}

function refusalAnswer(refusal: CheckoutRefusal): ErrorAnswer {
  switch (refusal.kind) {
    case 'UnknownSku':
      return { statusCode: 422, message: `unknown SKU: ${refusal.skus.join(', ')}` };
    case 'NoStockRecord':
      return { statusCode: 422, message: `inventory: ${refusal.detail}` };
    case 'OutOfStock':
      return {
        statusCode: 409,
        message: `out of stock: ${refusal.sku} (${refusal.detail})`,
        extra: { sku: refusal.sku, available: refusal.available },
      };
    case 'HoldSpent':
      return {
        statusCode: 409,
        message: `the stock held by an earlier attempt with this Idempotency-Key was ${refusal.status.toLowerCase()}; retry with a new Idempotency-Key`,
      };
  }
}

type CheckoutError =
  | EmptyCartError
  | IdempotencyKeyInProgressError
  | IdempotencyKeyReusedError
  | UpstreamUnavailableError
  | UpstreamRejectedError;

/** The errors checkout throws (nothing stored: the client may retry with the same key). */
export function errorAnswerFor(error: CheckoutError): ErrorAnswer {
  if (error instanceof EmptyCartError) return { statusCode: 400, message: error.message };
  if (error instanceof IdempotencyKeyInProgressError) return { statusCode: 409, message: error.message };
  if (error instanceof IdempotencyKeyReusedError) return { statusCode: 422, message: error.message };
  if (error instanceof UpstreamUnavailableError)
    return { statusCode: 503, message: `${error.message}; retry with the same Idempotency-Key` };
  return { statusCode: 502, message: error.message }; // UpstreamRejectedError: our bug or misconfiguration
}

@Catch(
  EmptyCartError,
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  UpstreamUnavailableError,
  UpstreamRejectedError,
)
export class CheckoutErrorFilter implements ExceptionFilter<CheckoutError> {
  catch(error: CheckoutError, host: ArgumentsHost): void {
    replyWithError(host, errorAnswerFor(error), error);
  }
}
