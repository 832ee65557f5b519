import { AuctionEndedError, BidTooLowError } from './auction.errors';
import { checkBid, minimumBidCents, type BiddableAuction } from './bid-rules';

const auction = (over: Partial<BiddableAuction> = {}): BiddableAuction => ({
  id: '00000000-0000-4000-8000-000000000001',
  status: 'OPEN',
  ended: false,
  endsAt: new Date('2030-01-01T00:00:00Z'),
  startPriceCents: 1_000,
  minIncrementCents: 50,
  currentPriceCents: null,
  ...over,
});

describe(checkBid.name, () => {
  it('asks for the start price first, then the current price plus the increment', () => {
    expect(minimumBidCents(auction())).toBe(1_000);
    expect(minimumBidCents(auction({ currentPriceCents: 1_200 }))).toBe(1_250);
    expect(() => checkBid(auction(), 1_000)).not.toThrow();
    expect(() => checkBid(auction({ currentPriceCents: 1_200 }), 1_250)).not.toThrow();
  });

  it('refuses a bid below the minimum, saying what the minimum is', () => {
    expect(() => checkBid(auction(), 999)).toThrow(BidTooLowError);
    expect(() => checkBid(auction(), 999)).toThrow(/below the start price 1000/);
    expect(() => checkBid(auction({ currentPriceCents: 1_200 }), 1_249)).toThrow(
      /current price is 1200, the next bid must be at least 1250/,
    );
    // Equal to the current price is not "higher".
    expect(() => checkBid(auction({ currentPriceCents: 1_200 }), 1_200)).toThrow(BidTooLowError);
  });

  it('refuses any bid once the auction ended or closed, however high', () => {
    expect(() => checkBid(auction({ ended: true }), 1_000_000)).toThrow(AuctionEndedError);
    expect(() => checkBid(auction({ status: 'CLOSED' }), 1_000_000)).toThrow(
      /ended at 2030-01-01T00:00:00.000Z/,
    );
  });
});
