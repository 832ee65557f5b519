import { z } from 'zod';
import { sku, userId } from '../events';

// Auctions (/api/auctions, /api/admin/auctions), answered by the auctions service.

export const MAX_PRICE_CENTS = 100_000_000;
/** The longest an auction may run (and so how far ahead endsAt may be). */
export const MAX_AUCTION_DAYS = 30;

export const auctionIdParam = z.uuid().describe('the auction id');

export const createAuctionRequest = z
  .object({
    sku,
    startPriceCents: z.int().min(1).max(MAX_PRICE_CENTS),
    minIncrementCents: z.int().min(1).max(MAX_PRICE_CENTS),
    endsAt: z.iso
      .datetime({ offset: true })
      .describe(`when bidding stops: in the future, at most ${MAX_AUCTION_DAYS} days ahead`),
  })
  .meta({ id: 'CreateAuction' });
export type CreateAuctionRequest = z.infer<typeof createAuctionRequest>;

export const auctionBid = z
  .object({
    seq: z.int().min(1).describe('acceptance order: a higher seq always has a higher amount'),
    userId,
    amountCents: z.int().min(1),
    at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'AuctionBid' });

export const auction = z
  .object({
    id: z.uuid(),
    sku,
    status: z.enum(['OPEN', 'CLOSED']),
    startPriceCents: z.int(),
    minIncrementCents: z.int(),
    endsAt: z.iso.datetime({ offset: true }),
    currentPriceCents: z.int().nullable(),
    leaderId: userId.nullable(),
    bidCount: z.int(),
    /** null once bidding is over. */
    minimumBidCents: z.int().nullable(),
    winner: z.object({ userId, priceCents: z.int() }).nullable(),
    closedAt: z.iso.datetime({ offset: true }).nullable(),
    topBids: z.array(auctionBid).describe('the highest accepted bids, highest first (at most 10)'),
  })
  .meta({ id: 'Auction' });
export type Auction = z.infer<typeof auction>;

export const bidRequest = z
  .object({ amountCents: z.int().min(1).max(MAX_PRICE_CENTS) })
  .meta({ id: 'BidRequest' });
export type BidRequest = z.infer<typeof bidRequest>;

export const bidAccepted = z
  .object({
    bidId: z.uuid(),
    auctionId: z.uuid(),
    amountCents: z.int(),
    seq: z.int(),
    strategy: z.enum(['lock', 'cas']),
    attempts: z.int().min(1).describe('compare-and-set tries (cas) or lock rounds (lock) it took'),
  })
  .meta({ id: 'BidAccepted' });
export type BidAccepted = z.infer<typeof bidAccepted>;

export const closeAuctionsResult = z.object({
  ran: z.boolean(),
  instanceId: z.string(),
  closed: z.int(),
  reason: z.enum(['busy', 'unavailable']).optional(),
});
export type CloseAuctionsResult = z.infer<typeof closeAuctionsResult>;
