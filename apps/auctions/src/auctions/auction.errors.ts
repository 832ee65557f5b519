// Auctions' domain errors; auctions-errors.filter.ts answers them over HTTP in one place.

export class AuctionNotFoundError extends Error {
  constructor(readonly auctionId: string) {
    super(`no auction ${auctionId}`);
    this.name = 'AuctionNotFoundError';
  }
}

/** The auction's end has passed (by the database's clock) or the closing job closed it. */
export class AuctionEndedError extends Error {
  constructor(
    readonly auctionId: string,
    readonly endsAt: Date,
  ) {
    super(`auction ${auctionId} ended at ${endsAt.toISOString()}; bids are no longer accepted`);
    this.name = 'AuctionEndedError';
  }
}

/** The bid is not above the current price by the minimum increment (or below the start price). */
export class BidTooLowError extends Error {
  constructor(
    readonly auctionId: string,
    readonly amountCents: number,
    readonly minimumCents: number,
    readonly currentPriceCents: number | null,
  ) {
    super(
      currentPriceCents === null
        ? `bid ${amountCents} is below the start price ${minimumCents}`
        : `bid ${amountCents} is too low: the current price is ${currentPriceCents}, the next bid must be at least ${minimumCents}`,
    );
    this.name = 'BidTooLowError';
  }
}

/** BID_STRATEGY=cas: the row kept changing under this bid for CAS_MAX_ATTEMPTS tries. Nothing was written. */
export class BidContentionError extends Error {
  constructor(
    readonly auctionId: string,
    readonly attempts: number,
  ) {
    super(
      `auction ${auctionId} changed under this bid ${attempts} times in a row; nothing was written, retry`,
    );
    this.name = 'BidContentionError';
  }
}

/**
 * BID_STRATEGY=lock: the conditional UPDATE found a fence at or above our token, so a newer lock
 * holder wrote the row and our lock must have expired (a pause, a slow network). Nothing was written.
 */
export class BidFencedOutError extends Error {
  constructor(
    readonly auctionId: string,
    readonly token: string,
    readonly fence: string,
  ) {
    super(
      `auction ${auctionId}: fencing token ${token} is stale (row fenced at ${fence}); the lock was lost`,
    );
    this.name = 'BidFencedOutError';
  }
}
