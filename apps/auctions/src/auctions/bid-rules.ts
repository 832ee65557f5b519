import { AuctionEndedError, BidTooLowError } from './auction.errors';

/** What a bid is checked against: the auction row as last read. */
export interface BiddableAuction {
  id: string;
  status: 'OPEN' | 'CLOSED';
  /** Computed by Postgres (`ends_at <= clock_timestamp()`): one clock for every replica. */
  ended: boolean;
  endsAt: Date;
  startPriceCents: number;
  minIncrementCents: number;
  currentPriceCents: number | null;
}

/** The lowest acceptable next bid: the start price, then the current price plus the increment. */
export const minimumBidCents = (auction: BiddableAuction): number =>
  auction.currentPriceCents === null
    ? auction.startPriceCents
    : auction.currentPriceCents + auction.minIncrementCents;

/**
 * Throws when `amountCents` cannot win against `auction` as read: ended, or too low. Only a hint
 * outside the write: the conditional UPDATE repeats both checks and has the last word.
 */
export function checkBid(auction: BiddableAuction, amountCents: number): void {
  if (auction.status !== 'OPEN' || auction.ended) throw new AuctionEndedError(auction.id, auction.endsAt);
  const minimum = minimumBidCents(auction);
  if (amountCents < minimum)
    throw new BidTooLowError(auction.id, amountCents, minimum, auction.currentPriceCents);
}
