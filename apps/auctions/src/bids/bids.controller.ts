import { Body, Controller, Header, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import type { BidAccepted } from '@sdp/contracts';
import { CurrentIdentity, RequireIdentity, type Identity } from '@sdp/identity';
import { AuctionsErrorFilter } from '../auctions-errors.filter';
import { AuctionIdParams } from '../auctions/dto/auction.dto';
import { BidsService } from './bids.service';
import { BidDto } from './dto/bid.dto';

/** Bidding: the bidder is whoever the gateway signed for, never a field of the body. */
@Controller('auctions/:id/bids')
@RequireIdentity('customer', 'admin')
@UseFilters(AuctionsErrorFilter)
export class BidsController {
  constructor(private readonly bids: BidsService) {}

  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  place(
    @CurrentIdentity() caller: Identity,
    @Param() { id }: AuctionIdParams,
    @Body() body: BidDto,
  ): Promise<BidAccepted> {
    return this.bids.bid(caller, id, body.amountCents);
  }
}
