import { BadRequestException, Injectable } from '@nestjs/common';
import { MAX_AUCTION_DAYS, type Auction } from '@sdp/contracts';
import type { Identity } from '@sdp/identity';
import { randomUUID } from 'node:crypto';
import { AuctionNotFoundError } from './auction.errors';
import { AuctionsRepository, type AuctionRecord, type BidRecord } from './auctions.repository';
import { minimumBidCents } from './bid-rules';
import type { CreateAuctionDto } from './dto/auction.dto';

const TOP_BIDS = 10;

export const toAuctionView = (auction: AuctionRecord, top: BidRecord[]): Auction => ({
  id: auction.id,
  sku: auction.sku,
  status: auction.status,
  startPriceCents: auction.startPriceCents,
  minIncrementCents: auction.minIncrementCents,
  endsAt: auction.endsAt.toISOString(),
  currentPriceCents: auction.currentPriceCents,
  leaderId: auction.leaderId,
  bidCount: auction.bidCount,
  minimumBidCents: auction.status === 'OPEN' && !auction.ended ? minimumBidCents(auction) : null,
  winner:
    auction.winnerId && auction.winningPriceCents !== null
      ? { userId: auction.winnerId, priceCents: auction.winningPriceCents }
      : null,
  closedAt: auction.closedAt?.toISOString() ?? null,
  topBids: top.map((b) => ({
    seq: b.seq,
    userId: b.userId,
    amountCents: b.amountCents,
    at: b.createdAt.toISOString(),
  })),
});

/** `2030-02-31T...` parses (as 3 March); refuse a day the month does not have. */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Creating and reading auctions; bidding is BidsService, closing is CloserService. */
@Injectable()
export class AuctionsService {
  constructor(private readonly auctions: AuctionsRepository) {}

  async create(caller: Identity, body: CreateAuctionDto): Promise<Auction> {
    const endsAt = new Date(body.endsAt);
    const now = Date.now();
    if (Number.isNaN(endsAt.getTime()) || !isCalendarDate(body.endsAt))
      throw new BadRequestException('endsAt must be a real date-time');
    if (endsAt.getTime() <= now + 1_000) throw new BadRequestException('endsAt must be in the future');
    if (endsAt.getTime() > now + MAX_AUCTION_DAYS * 86_400_000)
      throw new BadRequestException(`endsAt must be at most ${MAX_AUCTION_DAYS} days ahead`);
    const id = randomUUID();
    await this.auctions.insert({
      id,
      sku: body.sku,
      startPriceCents: body.startPriceCents,
      minIncrementCents: body.minIncrementCents,
      endsAt,
      createdBy: caller.userId,
    });
    return this.get(id);
  }

  async get(id: string): Promise<Auction> {
    const auction = await this.auctions.find(id);
    if (!auction) throw new AuctionNotFoundError(id);
    return toAuctionView(auction, await this.auctions.topBids(id, TOP_BIDS));
  }
}
