import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { replyWithError, type ErrorAnswer } from '@sdp/bootstrap';
import { LockBusyError, LockLostError, LockUnavailableError } from '@sdp/locks';
import {
  AuctionEndedError,
  AuctionNotFoundError,
  BidContentionError,
  BidFencedOutError,
  BidTooLowError,
} from './auctions/auction.errors';

type AuctionsError =
  | AuctionNotFoundError
  | AuctionEndedError
  | BidTooLowError
  | BidContentionError
  | BidFencedOutError
  | LockUnavailableError
  | LockBusyError
  | LockLostError;

/**
 * Auctions' one place where domain errors become HTTP, in the one error body. A refused bid is a
 * 409 with a `reason` (`ended` or `too_low`, with the minimum to beat); anything about locks or
 * contention is a 503: retryable, and nothing was written.
 */
export function answerFor(error: AuctionsError): ErrorAnswer {
  if (error instanceof AuctionNotFoundError) return { statusCode: 404, message: error.message };
  if (error instanceof AuctionEndedError)
    return {
      statusCode: 409,
      message: error.message,
      extra: { reason: 'ended', endsAt: error.endsAt.toISOString() },
    };
  if (error instanceof BidTooLowError) {
    return {
      statusCode: 409,
      message: error.message,
      extra: {
        reason: 'too_low',
        minimumBidCents: error.minimumCents,
        currentPriceCents: error.currentPriceCents,
      },
    };
  }
  if (error instanceof LockUnavailableError)
    return {
      statusCode: 503,
      message: 'auction locks unavailable (no quorum of lock nodes); nothing was written, retry shortly',
    };
  if (error instanceof LockBusyError)
    return { statusCode: 503, message: 'the auction is busy (lock contention); nothing was written, retry' };
  if (error instanceof LockLostError || error instanceof BidFencedOutError)
    return { statusCode: 503, message: 'lock lost to a newer holder; nothing was written, retry' };
  return { statusCode: 503, message: error.message }; // BidContentionError
}

@Catch(
  AuctionNotFoundError,
  AuctionEndedError,
  BidTooLowError,
  BidContentionError,
  BidFencedOutError,
  LockUnavailableError,
  LockBusyError,
  LockLostError,
)
export class AuctionsErrorFilter implements ExceptionFilter<AuctionsError> {
  catch(error: AuctionsError, host: ArgumentsHost): void {
    replyWithError(host, answerFor(error), error);
  }
}
